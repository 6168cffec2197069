import { relative } from 'node:path';
import { formatDiagnostic, loadStreamFile } from '../language';
import { flag, parseArgs } from './args';

/** `l2r validate FILE [--stream NAME]`: the editor's diagnostics, as file:line:col lines. */
export async function validateCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { stream: 'value' });
  const file = args.positionals[0];
  if (file === undefined) {
    console.error('usage: l2r validate FILE.l2r [--stream NAME]');
    return 2;
  }
  const { spec, diagnostics } = await loadStreamFile(file, { stream: flag(args, 'stream') });
  const shown = relative(process.cwd(), file) || file;
  for (const d of diagnostics) console.log(formatDiagnostic(shown, d));
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  if (spec !== undefined) {
    console.log(
      `${shown}: stream '${spec.name}' is valid: ${spec.tasks.length} tasks, ${spec.orders.length} order(s), ${spec.seeds.length} seed(s); ${warnings} warning(s).`,
    );
  } else console.log(`${shown}: ${errors} error(s), ${warnings} warning(s).`);
  return errors > 0 || spec === undefined ? 1 : 0;
}
