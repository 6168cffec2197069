/** Minimal flag parsing: `--name value`, `--flag`, and positionals; unknown flags are errors. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], known: Record<string, 'value' | 'flag'>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    const kind = known[name];
    if (kind === undefined)
      throw new Error(
        `unknown option --${name} (known: ${Object.keys(known)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    if (kind === 'flag') flags.set(name, true);
    else {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
      flags.set(name, value);
    }
  }
  return { positionals, flags };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}
