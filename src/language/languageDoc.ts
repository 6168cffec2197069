import type { BlockName, KeyType } from './schema';
import { blockDocs, blocksOf, presets, schema } from './schema';

function typeText(t: KeyType): string {
  switch (t.kind) {
    case 'int':
      return `integer${t.min !== undefined ? ` ≥ ${t.min}` : ''}${t.max !== undefined ? `, ≤ ${t.max}` : ''}`;
    case 'number':
      return `number${t.min !== undefined ? ` ${t.exclusiveMin === true ? '>' : '≥'} ${t.min}` : ''}${t.max !== undefined ? `, ≤ ${t.max}` : ''}`;
    case 'fraction':
      return 'percentage in (0%, 100%)';
    case 'countOrPercent':
      return 'count ≥ 1, or percentage in (0%, 100%]';
    case 'string':
      return 'string';
    case 'path':
      return t.folder === true ? 'folder path (string)' : 'file path (string)';
    case 'bool':
      return '`true` / `false`';
    case 'enum':
      return t.values.map((v) => `\`${v}\``).join(' \\| ');
    case 'intList':
      return 'list of integers';
    case 'enumList':
      return `list of ${t.values.map((v) => `\`${v}\``).join(', ')}`;
    case 'stringList':
      return 'list of strings';
    case 'percentList':
      return 'list of percentages';
  }
}

function table(context: keyof typeof schema): string {
  const rows = Object.entries(schema[context]).map(
    ([key, s]) =>
      `| \`${key}\` | ${typeText(s.type)} | ${s.default !== undefined ? `\`${s.default}\`` : s.required === true ? '(required)' : '—'} | ${s.doc} | \`${s.example}\` |`,
  );
  return ['| key | type | default | meaning | example |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** docs/LANGUAGE.md, generated from the schema so the reference cannot drift from the checker. */
export function renderLanguageDoc(examples: readonly { name: string; text: string }[]): string {
  const paper = Object.entries(presets.paper)
    .flatMap(([block, values]) => Object.entries(values ?? {}).map(([k, v]) => `\`${block}.${k} = ${v}\``))
    .join(', ');
  return `# The \`.l2r\` task-stream language

<!-- Generated from src/language/schema.ts by scripts/gen-language-doc.mjs. Do not edit by hand. -->

A \`.l2r\` file declares one or more **streams** and the **tasks** they learn. Blocks may come in any
order; whitespace and line breaks carry no meaning; comments start with \`#\` or \`//\`.

\`\`\`
file      = { stream | task }
stream    = "stream" NAME "{" { order | block | property } "}"
task      = "task" NAME "{" { block | property } "}"
order     = "order" NAME "=" "[" NAME { "," NAME } [","] "]"
block     = KEY "{" { property } "}"
property  = KEY "=" value [";" | ","]
value     = NUMBER | PERCENT | STRING | IDENT | "[" [ value { "," value } [","] ] "]"
\`\`\`

\`NUMBER\` is decimal or scientific (\`1e-3\`), \`PERCENT\` a number followed by \`%\`, \`STRING\` is
double-quoted with \`\\\\\` escapes, \`IDENT\` is a name (letters, digits, \`_\`, \`-\`). Every task must appear
exactly once in every \`order\`; the first order is the default, and without any order the tasks run
in declaration order. Paths are relative to the \`.l2r\` file.

The checker reports unknown keys with a "did you mean", values of the wrong type or out of range,
duplicate names, orders that name unknown tasks or miss one, missing data files and fields (reading
only the first lines), label names shared between tasks in class-incremental streams, memory larger
than a task, and bert folders without their three files.

## Presets

\`preset = default\` uses the defaults below. \`preset = paper\` reproduces the recipe of the L2R paper:
${paper}. A key written in the file always wins over its preset.

## Stream keys

${table('stream')}

${(blocksOf.stream as readonly BlockName[]).map((b) => `## \`${b} { ... }\`\n\n${blockDocs[b]}\n\n${table(b)}`).join('\n\n')}

## Task keys

${table('task')}

Blocks inside a task: ${blocksOf.task.map((b) => `\`${b} { ... }\` (${blockDocs[b as 'rename']})`).join(', ')}.

## Examples

${examples.map((e) => `### ${e.name}\n\n\`\`\`l2r\n${e.text.trimEnd()}\n\`\`\``).join('\n\n')}
`;
}
