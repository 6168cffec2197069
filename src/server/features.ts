import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type {
  CodeAction,
  Diagnostic as LspDiagnostic,
  CompletionItem,
  DocumentSymbol,
  FoldingRange,
  Hover,
  Location,
  Range as LspRange,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { CodeActionKind, CompletionItemKind, InsertTextFormat, SymbolKind } from 'vscode-languageserver';
import type { Diagnostic, Range } from '../language';
import { blockDocs, blocksOf, schema } from '../language';
import type { Analysis } from './analysis';
import { allRefs, locate, taskNameAt, within } from './analysis';

export function toLspRange(a: Analysis, r: Range): LspRange {
  return { start: a.lines.position(r.start), end: a.lines.position(r.end) };
}

// --- completion -------------------------------------------------------------------------------------

const snippets: CompletionItem[] = [
  {
    label: 'stream',
    kind: CompletionItemKind.Snippet,
    detail: 'A new task stream',
    insertTextFormat: InsertTextFormat.Snippet,
    insertText:
      'stream ${1:name} {\n  order main = [${2:tasks}]\n  seeds = [1]\n\n  backbone {\n    type = glove100\n  }\n  memory {\n    size = 2%\n  }\n}\n',
  },
  {
    label: 'task',
    kind: CompletionItemKind.Snippet,
    detail: 'A new task',
    insertTextFormat: InsertTextFormat.Snippet,
    insertText:
      'task ${1:name} {\n  data = "${2:data/train.jsonl}"\n  test = "${3:data/test.jsonl}"\n  text = "text"\n  label = "label"\n}\n',
  },
];

export function complete(a: Analysis, offset: number, filePath: string): CompletionItem[] {
  const lineStart = a.text.lastIndexOf('\n', offset - 1) + 1;
  const before = a.text.slice(lineStart, offset);
  const { container, block } = locate(a.doc, offset);
  if (container === undefined) return snippets;
  // Inside an order's brackets: task names.
  if (/\border\s+\w[\w-]*\s*=\s*\[[^\]]*$/.test(before)) {
    return a.doc.tasks.map((t) => ({ label: t.name, kind: CompletionItemKind.Reference, detail: 'task' }));
  }
  const valueMatch = /([A-Za-z_][\w-]*)\s*=\s*(\[[^\]]*)?("?[^"=]*)?$/.exec(before);
  const context =
    block !== undefined && block.key in schema ? (block.key as keyof typeof schema) : container.type;
  if (valueMatch !== null) {
    const key = valueMatch[1] ?? '';
    const spec = schema[context][key];
    if (spec === undefined) return [];
    const t = spec.type;
    if (t.kind === 'enum' || t.kind === 'enumList')
      return t.values.map((v) => ({
        label: v,
        kind: CompletionItemKind.EnumMember,
        documentation: spec.doc,
      }));
    if (t.kind === 'bool')
      return ['true', 'false'].map((v) => ({ label: v, kind: CompletionItemKind.Value }));
    if (t.kind === 'path' && t.folder !== true) return dataFiles(filePath);
    return [];
  }
  const keys: CompletionItem[] = Object.entries(schema[context]).map(([key, spec]) => ({
    label: key,
    kind: CompletionItemKind.Property,
    detail:
      spec.default !== undefined
        ? `default ${spec.default}`
        : spec.required === true
          ? 'required'
          : 'optional',
    documentation: { kind: 'markdown' as const, value: `${spec.doc}\n\n\`${spec.example}\`` },
    insertText: `${key} = `,
  }));
  if (block === undefined && (container.type === 'stream' || container.type === 'task')) {
    for (const b of blocksOf[container.type]) {
      keys.push({
        label: b,
        kind: CompletionItemKind.Module,
        detail: 'block',
        documentation: { kind: 'markdown', value: blockDocs[b as 'backbone'] },
        insertText: `${b} {\n  \n}`,
      });
    }
    if (container.type === 'stream')
      keys.push({
        label: 'order',
        kind: CompletionItemKind.Keyword,
        detail: 'a task order',
        documentation: {
          kind: 'markdown',
          value: 'A named task order: `order main = [a, b, c]`. The first order is the default.',
        },
        insertText: 'order ',
      });
  }
  return keys;
}

/** Data files near the stream file (two folder levels), as relative paths. */
function dataFiles(filePath: string): CompletionItem[] {
  const base = dirname(filePath);
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const full = join(dir, e.name);
      if (e.isDirectory() && depth < 3) walk(full, depth + 1);
      else if (/\.(jsonl|csv|tsv)$/i.test(e.name)) found.push(relative(base, full));
      if (found.length > 200) return;
    }
  };
  walk(base, 0);
  return found.sort().map((p) => ({ label: p, kind: CompletionItemKind.File, insertText: p }));
}

// --- hover, definition, references, rename ---------------------------------------------------------

export function hover(a: Analysis, offset: number): Hover | undefined {
  const { container, block, member } = locate(a.doc, offset);
  const task = taskNameAt(a.doc, offset);
  if (task !== undefined) {
    const decl = a.doc.tasks.find((t) => t.name === task.name);
    const data = decl?.members.find((m) => m.key === 'data');
    const path = data?.type === 'property' && data.value?.type === 'scalar' ? data.value.text : undefined;
    return {
      contents: {
        kind: 'markdown',
        value: `**task ${task.name}**${path !== undefined ? `\n\ndata: \`${path}\`` : ''}`,
      },
      range: toLspRange(a, task.range),
    };
  }
  if (member === undefined || container === undefined) return undefined;
  if (member.type === 'block' && within(member.keyRange, offset)) {
    const doc = blockDocs[member.key as 'backbone'];
    return doc !== undefined
      ? {
          contents: { kind: 'markdown', value: `**${member.key}** block\n\n${doc}` },
          range: toLspRange(a, member.keyRange),
        }
      : undefined;
  }
  if (member.type !== 'property' || !within(member.keyRange, offset)) return undefined;
  const context =
    block !== undefined && block.key in schema ? (block.key as keyof typeof schema) : container.type;
  const spec = schema[context][member.key];
  if (spec === undefined) return undefined;
  const def =
    spec.default !== undefined
      ? `\n\nDefault: \`${spec.default}\``
      : spec.required === true
        ? '\n\nRequired.'
        : '';
  return {
    contents: {
      kind: 'markdown',
      value: `**${member.key}**\n\n${spec.doc}${def}\n\nExample: \`${spec.example}\``,
    },
    range: toLspRange(a, member.keyRange),
  };
}

export function definition(a: Analysis, uri: string, offset: number): Location | undefined {
  const task = taskNameAt(a.doc, offset);
  const decl = task !== undefined ? a.doc.tasks.find((t) => t.name === task.name) : undefined;
  return decl !== undefined ? { uri, range: toLspRange(a, decl.nameRange) } : undefined;
}

export function references(
  a: Analysis,
  uri: string,
  offset: number,
  includeDeclaration: boolean,
): Location[] {
  const task = taskNameAt(a.doc, offset);
  if (task === undefined) return [];
  const ranges = allRefs(a.doc)
    .filter((r) => r.name === task.name)
    .map((r) => r.range);
  const decl = a.doc.tasks.find((t) => t.name === task.name);
  if (includeDeclaration && decl !== undefined) ranges.unshift(decl.nameRange);
  return ranges.map((r) => ({ uri, range: toLspRange(a, r) }));
}

export function prepareRename(a: Analysis, offset: number): LspRange | undefined {
  const task = taskNameAt(a.doc, offset);
  return task !== undefined ? toLspRange(a, task.range) : undefined;
}

export function rename(a: Analysis, uri: string, offset: number, newName: string): WorkspaceEdit | undefined {
  if (!/^[A-Za-z_][\w-]*$/.test(newName))
    throw new Error(
      `'${newName}' is not a valid task name (letters, digits, _ and -; not starting with a digit).`,
    );
  const locations = references(a, uri, offset, true);
  if (locations.length === 0) return undefined;
  return { changes: { [uri]: locations.map((l) => ({ range: l.range, newText: newName })) } };
}

// --- outline, folding ------------------------------------------------------------------------------

export function symbols(a: Analysis): DocumentSymbol[] {
  const sym = (
    name: string,
    kind: SymbolKind,
    range: Range,
    selection: Range,
    children: DocumentSymbol[] = [],
    detail?: string,
  ): DocumentSymbol => ({
    name,
    kind,
    range: toLspRange(a, range),
    selectionRange: toLspRange(a, selection),
    children,
    detail,
  });
  return [
    ...a.doc.streams.map((s) =>
      sym(
        s.name,
        SymbolKind.Namespace,
        s.range,
        s.nameRange,
        s.members.map((m) =>
          m.type === 'order'
            ? sym(m.name, SymbolKind.Array, m.range, m.nameRange, [], 'order')
            : sym(m.key, m.type === 'block' ? SymbolKind.Object : SymbolKind.Property, m.range, m.keyRange),
        ),
        'stream',
      ),
    ),
    ...a.doc.tasks.map((t) =>
      sym(
        t.name,
        SymbolKind.Class,
        t.range,
        t.nameRange,
        t.members.map((m) => sym(m.key, SymbolKind.Property, m.range, m.keyRange)),
        'task',
      ),
    ),
  ];
}

export function folding(a: Analysis): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const add = (r: Range): void => {
    const start = a.lines.position(r.start).line;
    const end = a.lines.position(r.end).line;
    if (end > start) ranges.push({ startLine: start, endLine: end - 1 });
  };
  for (const s of a.doc.streams) {
    add(s.range);
    for (const m of s.members) if (m.type === 'block') add(m.range);
  }
  for (const t of a.doc.tasks) add(t.range);
  return ranges;
}

// --- code actions ----------------------------------------------------------------------------------

/** Data carried on an LSP diagnostic so code actions can offer its fixes. */
export interface DiagnosticData {
  readonly fixes?: Diagnostic['fixes'];
  readonly code?: string;
  readonly name?: string;
}

export function codeActions(a: Analysis, uri: string, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const d of diagnostics) {
    const data = d.data as DiagnosticData | undefined;
    for (const fix of data?.fixes ?? []) {
      const edit: TextEdit = { range: toLspRange(a, fix.range), newText: fix.newText };
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        isPreferred: true,
        diagnostics: [d],
        edit: { changes: { [uri]: [edit] } },
      });
    }
    if (data?.code === 'unknown-task' && data.name !== undefined) {
      const end = a.lines.position(a.text.length);
      const stub = `${a.text.endsWith('\n') ? '' : '\n'}\ntask ${data.name} {\n  data = "data/${data.name}.train.jsonl"\n  test = "data/${data.name}.test.jsonl"\n}\n`;
      actions.push({
        title: `Create task '${data.name}'`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        edit: { changes: { [uri]: [{ range: { start: end, end }, newText: stub }] } },
      });
    }
  }
  return actions;
}
