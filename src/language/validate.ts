import type {
  BlockNode,
  Document,
  Node,
  OrderNode,
  PropertyNode,
  Range,
  ScalarValue,
  StreamNode,
  TaskNode,
  Value,
} from './ast';
import type { BlockName, Context, KeySpec, KeyType } from './schema';
import { blocksOf, blockDocs, didYouMean, schema } from './schema';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A replacement that fixes a diagnostic (offered as a quick fix). */
export interface Fix {
  readonly title: string;
  readonly range: Range;
  readonly newText: string;
}

export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly range: Range;
  readonly code?: string;
  readonly fixes?: readonly Fix[];
  /** The name the diagnostic is about (e.g. an unknown task), for quick fixes that create it. */
  readonly subject?: string;
}

type Accept = (d: Diagnostic) => void;

/** Validation checks keyed by node type, in the manner of Langium's ValidationChecks. */
export interface ValidationChecks {
  readonly stream: readonly ((node: StreamNode, doc: Document, accept: Accept) => void)[];
  readonly task: readonly ((node: TaskNode, doc: Document, accept: Accept) => void)[];
  readonly order: readonly ((node: OrderNode, doc: Document, accept: Accept) => void)[];
  readonly block: readonly ((node: BlockNode, context: Context, accept: Accept) => void)[];
  readonly property: readonly ((node: PropertyNode, context: Context, accept: Accept) => void)[];
}

export const checks: ValidationChecks = {
  stream: [checkStreamMembers, checkOrdersCoverTasks, checkReplayNeedsFeatures, checkBaselineBlocksUsed],
  task: [checkTaskMembers],
  order: [checkOrderReferences],
  block: [checkBlockKeys],
  property: [checkPropertyValue],
};

/** Every syntactic and semantic problem of a document (data files are checked separately, lazily). */
export function validate(doc: Document): Diagnostic[] {
  const out: Diagnostic[] = doc.syntaxErrors.map((e) => ({
    severity: 'error',
    message: e.message,
    range: e.range,
    code: 'syntax',
  }));
  const accept: Accept = (d) => out.push(d);
  duplicates(doc.streams, 'stream', accept);
  duplicates(doc.tasks, 'task', accept);
  if (doc.streams.length === 0 && doc.tasks.length > 0) {
    accept({
      severity: 'warning',
      message: "No 'stream' block: declare one to run these tasks.",
      range: doc.tasks[0]?.nameRange ?? { start: 0, end: 0 },
      code: 'no-stream',
    });
  }
  for (const stream of doc.streams) {
    for (const check of checks.stream) check(stream, doc, accept);
    for (const member of stream.members) visit(member, 'stream', doc, accept);
  }
  for (const task of doc.tasks) {
    for (const check of checks.task) check(task, doc, accept);
    for (const member of task.members) visit(member, 'task', doc, accept);
  }
  return out;
}

function visit(node: Node, context: Context, doc: Document, accept: Accept): void {
  if (node.type === 'order') for (const check of checks.order) check(node, doc, accept);
  else if (node.type === 'block') {
    for (const check of checks.block) check(node, context, accept);
    const inner =
      context === 'stream'
        ? (blocksOf.stream as readonly BlockName[]).find((b) => b === node.key)
        : undefined;
    if (inner !== undefined)
      for (const p of node.properties) for (const check of checks.property) check(p, inner, accept);
  } else if (node.type === 'property') for (const check of checks.property) check(node, context, accept);
}

function duplicates(nodes: readonly (StreamNode | TaskNode)[], what: string, accept: Accept): void {
  const seen = new Map<string, StreamNode | TaskNode>();
  for (const n of nodes) {
    const first = seen.get(n.name);
    if (first !== undefined)
      accept({
        severity: 'error',
        message: `Duplicate ${what} '${n.name}': names must be unique in a file.`,
        range: n.nameRange,
        code: `duplicate-${what}`,
      });
    else seen.set(n.name, n);
  }
}

function unknownKey(
  key: string,
  range: Range,
  candidates: readonly string[],
  where: string,
  accept: Accept,
): void {
  const suggestion = didYouMean(key, candidates);
  accept({
    severity: 'error',
    message: `Unknown key '${key}' in ${where}${suggestion !== undefined ? `; did you mean '${suggestion}'?` : `. Known keys: ${candidates.join(', ')}.`}`,
    range,
    code: 'unknown-key',
    fixes:
      suggestion !== undefined
        ? [{ title: `Change to '${suggestion}'`, range, newText: suggestion }]
        : undefined,
  });
}

function checkStreamMembers(stream: StreamNode, _doc: Document, accept: Accept): void {
  const seen = new Set<string>();
  const orders = new Set<string>();
  for (const m of stream.members) {
    if (m.type === 'order') {
      if (orders.has(m.name))
        accept({
          severity: 'error',
          message: `Duplicate order '${m.name}'.`,
          range: m.nameRange,
          code: 'duplicate-order',
        });
      orders.add(m.name);
      continue;
    }
    const isBlock = m.type === 'block';
    if (seen.has(m.key))
      accept({
        severity: 'error',
        message: `'${m.key}' is set twice in stream '${stream.name}'.`,
        range: m.keyRange,
        code: 'duplicate-key',
      });
    seen.add(m.key);
    const blockNames = blocksOf.stream;
    if (isBlock && !blockNames.includes(m.key)) {
      unknownKey(m.key, m.keyRange, blockNames, `stream '${stream.name}' (blocks)`, accept);
    } else if (!isBlock && !(m.key in schema.stream)) {
      if (blockNames.includes(m.key)) {
        accept({
          severity: 'error',
          message: `'${m.key}' is a block: write ${m.key} { ... }. ${blockDocs[m.key as 'backbone']}`,
          range: m.keyRange,
          code: 'expected-block',
        });
      } else
        unknownKey(
          m.key,
          m.keyRange,
          [...Object.keys(schema.stream), 'order'],
          `stream '${stream.name}'`,
          accept,
        );
    }
  }
}

function checkOrdersCoverTasks(stream: StreamNode, doc: Document, accept: Accept): void {
  const declared = doc.tasks.map((t) => t.name);
  for (const order of stream.members) {
    if (order.type !== 'order') continue;
    const named = new Set(order.tasks.map((t) => t.name));
    const missing = declared.filter((t) => !named.has(t));
    if (missing.length > 0) {
      accept({
        severity: 'error',
        message: `Order '${order.name}' misses task${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}: every task appears exactly once in each order.`,
        range: order.nameRange,
        code: 'order-missing-task',
      });
    }
  }
}

/** A baseline's settings block does nothing unless that baseline runs: say so where the block is. */
function checkBaselineBlocksUsed(stream: StreamNode, _doc: Document, accept: Accept): void {
  const listed = stream.members.find(
    (m): m is PropertyNode => m.type === 'property' && m.key === 'baselines',
  );
  const names = new Set(
    listed?.value?.type === 'list'
      ? listed.value.items.map((i) => i.text)
      : listed?.value?.type === 'scalar'
        ? [listed.value.text]
        : [],
  );
  for (const m of stream.members)
    if (m.type === 'block' && (m.key === 'epi' || m.key === 'lda' || m.key === 'klda') && !names.has(m.key))
      accept({
        severity: 'warning',
        message: `'${m.key} { ... }' has no effect: '${m.key}' is not in this stream's baselines. Add it, e.g. baselines = [${[...names, m.key].join(', ')}].`,
        range: m.keyRange,
        code: 'unused-baseline-block',
      });
}

/** Feature replay draws stem features; a bert backbone's inputs are tokens, so the keys do nothing there. */
function checkReplayNeedsFeatures(stream: StreamNode, _doc: Document, accept: Accept): void {
  const block = (key: string): BlockNode | undefined =>
    stream.members.find((m): m is BlockNode => m.type === 'block' && m.key === key);
  const type = block('backbone')?.properties.find((p) => p.key === 'type')?.value;
  if (type?.type !== 'scalar' || type.text !== 'bert') return;
  for (const p of block('router')?.properties ?? [])
    if (p.key === 'feature_replay' || p.key === 'replay_covariance' || p.key === 'statistics_prior')
      accept({
        severity: 'warning',
        message: `'${p.key}' applies to the glove100 and hashed backbones only (it works on feature vectors; bert reads tokens); it is ignored here.`,
        range: p.keyRange,
        code: 'ignored',
      });
}

function checkOrderReferences(order: OrderNode, doc: Document, accept: Accept): void {
  const declared = doc.tasks.map((t) => t.name);
  const seen = new Set<string>();
  if (order.tasks.length === 0)
    accept({
      severity: 'error',
      message: `Order '${order.name}' is empty.`,
      range: order.nameRange,
      code: 'empty-order',
    });
  for (const ref of order.tasks) {
    if (seen.has(ref.name))
      accept({
        severity: 'error',
        message: `Task '${ref.name}' appears twice in order '${order.name}'.`,
        range: ref.range,
        code: 'order-duplicate-task',
      });
    seen.add(ref.name);
    if (!declared.includes(ref.name)) {
      const suggestion = didYouMean(ref.name, declared);
      accept({
        severity: 'error',
        message: `Unknown task '${ref.name}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : '.'}`,
        range: ref.range,
        code: 'unknown-task',
        subject: ref.name,
        fixes: [
          ...(suggestion !== undefined
            ? [{ title: `Change to '${suggestion}'`, range: ref.range, newText: suggestion }]
            : []),
        ],
      });
    }
  }
}

function checkTaskMembers(task: TaskNode, _doc: Document, accept: Accept): void {
  const seen = new Set<string>();
  for (const m of task.members) {
    if (seen.has(m.key))
      accept({
        severity: 'error',
        message: `'${m.key}' is set twice in task '${task.name}'.`,
        range: m.keyRange,
        code: 'duplicate-key',
      });
    seen.add(m.key);
    if (m.type === 'block' && !blocksOf.task.includes(m.key))
      unknownKey(m.key, m.keyRange, blocksOf.task, `task '${task.name}' (blocks)`, accept);
    if (m.type === 'property' && !(m.key in schema.task))
      unknownKey(m.key, m.keyRange, Object.keys(schema.task), `task '${task.name}'`, accept);
    if (m.type === 'block' && m.key === 'rename') {
      for (const p of m.properties) {
        if (
          p.value !== undefined &&
          !(p.value.type === 'scalar' && (p.value.kind === 'string' || p.value.kind === 'ident'))
        ) {
          accept({
            severity: 'error',
            message: `A rename maps a label to a new label: "${p.key}" = "new".`,
            range: p.value.range,
            code: 'type',
          });
        }
      }
    }
  }
  if (!seen.has('data'))
    accept({
      severity: 'error',
      message: `Task '${task.name}' needs a 'data' file: data = "path/to/train.jsonl".`,
      range: task.nameRange,
      code: 'missing-data',
    });
  if (seen.has('test') && seen.has('test_split')) {
    const p = task.members.find((m) => m.key === 'test_split');
    if (p !== undefined)
      accept({
        severity: 'warning',
        message: "'test_split' is ignored when a 'test' file is given.",
        range: p.keyRange,
        code: 'ignored',
      });
  }
}

function checkBlockKeys(block: BlockNode, context: Context, accept: Accept): void {
  if (block.key === 'rename' || !(block.key in schema) || context === 'task') return;
  const keys = schema[block.key as Context];
  const seen = new Set<string>();
  for (const p of block.properties) {
    if (seen.has(p.key))
      accept({
        severity: 'error',
        message: `'${p.key}' is set twice in '${block.key}'.`,
        range: p.keyRange,
        code: 'duplicate-key',
      });
    seen.add(p.key);
    if (!(p.key in keys)) unknownKey(p.key, p.keyRange, Object.keys(keys), `'${block.key}'`, accept);
  }
  if (block.key === 'backbone') {
    const type = block.properties.find((p) => p.key === 'type')?.value;
    const typeName = type?.type === 'scalar' ? type.text : 'glove100';
    const hasPath = block.properties.some((p) => p.key === 'path');
    if (typeName === 'bert' && !hasPath)
      accept({
        severity: 'error',
        message: "A bert backbone needs 'path' = the checkpoint folder.",
        range: block.keyRange,
        code: 'missing-path',
      });
    for (const p of block.properties) {
      const only =
        p.key === 'char_ngrams'
          ? 'glove100'
          : p.key === 'buckets'
            ? 'hashed'
            : p.key === 'path' || p.key === 'max_length'
              ? 'bert'
              : undefined;
      if (only !== undefined && only !== typeName)
        accept({
          severity: 'warning',
          message: `'${p.key}' applies to the ${only} backbone only; it is ignored for ${typeName}.`,
          range: p.keyRange,
          code: 'ignored',
        });
    }
  }
}

function checkPropertyValue(p: PropertyNode, context: Context, accept: Accept): void {
  const spec: KeySpec | undefined = schema[context][p.key];
  if (spec === undefined || p.value === undefined) return;
  const problem = typeProblem(spec.type, p.value);
  if (problem !== undefined)
    accept({
      severity: 'error',
      message: `${p.key}: ${problem.message}`,
      range: problem.range,
      code: 'type',
    });
}

function scalarProblem(type: KeyType, v: ScalarValue): string | undefined {
  switch (type.kind) {
    case 'int':
      if (v.kind !== 'number' || !Number.isInteger(v.number))
        return `expected a whole number, found ${v.kind === 'string' ? `"${v.text}"` : v.text}`;
      return rangeProblem(v.number ?? 0, type.min, type.max, false);
    case 'number':
      if (v.kind !== 'number') return `expected a number, found ${v.text}`;
      return rangeProblem(v.number ?? 0, type.min, type.max, type.exclusiveMin === true);
    case 'fraction':
      if (v.kind !== 'percent') return `expected a percentage such as 20%, found ${v.text}`;
      return (v.number ?? 0) <= 0 || (v.number ?? 0) >= 100
        ? 'must be a percentage in (0%, 100%)'
        : undefined;
    case 'countOrPercent':
      if (v.kind === 'percent')
        return (v.number ?? 0) <= 0 || (v.number ?? 0) > 100
          ? 'a memory percentage must be in (0%, 100%]'
          : undefined;
      if (v.kind === 'number')
        return !Number.isInteger(v.number) || (v.number ?? 0) < 1
          ? 'a memory count must be a whole number >= 1'
          : undefined;
      return `expected a count (50) or a percentage (2%), found ${v.text}`;
    case 'string':
    case 'path':
      return v.kind === 'string' ? undefined : `expected a quoted string, found ${v.text}`;
    case 'bool':
      return v.kind === 'ident' && (v.text === 'true' || v.text === 'false')
        ? undefined
        : `expected true or false, found ${v.text}`;
    case 'enum': {
      if (v.kind === 'ident' && type.values.includes(v.text)) return undefined;
      const s = didYouMean(v.text, type.values);
      return `expected one of ${type.values.join(', ')}, found ${v.text}${s !== undefined ? `; did you mean '${s}'?` : ''}`;
    }
    default:
      return undefined;
  }
}

function rangeProblem(
  n: number,
  min: number | undefined,
  max: number | undefined,
  exclusiveMin: boolean,
): string | undefined {
  if (min !== undefined && (exclusiveMin ? n <= min : n < min))
    return `must be ${exclusiveMin ? '>' : '>='} ${min}, found ${n}`;
  if (max !== undefined && n > max) return `must be <= ${max}, found ${n}`;
  return undefined;
}

function typeProblem(type: KeyType, value: Value): { message: string; range: Range } | undefined {
  const listOf = (item: KeyType): { message: string; range: Range } | undefined => {
    if (value.type !== 'list')
      return { message: `expected a list such as [a, b], found ${value.text}`, range: value.range };
    for (const v of value.items) {
      const m = scalarProblem(item, v);
      if (m !== undefined) return { message: m, range: v.range };
    }
    const texts = value.items.map((v) => v.text);
    const dup = texts.find((t, i) => texts.indexOf(t) !== i);
    return dup !== undefined ? { message: `'${dup}' is listed twice`, range: value.range } : undefined;
  };
  switch (type.kind) {
    case 'intList':
      return listOf({ kind: 'int', min: type.min });
    case 'enumList':
      return listOf({ kind: 'enum', values: type.values });
    case 'stringList':
      return listOf({ kind: 'string' });
    case 'percentList':
      return (
        listOf({ kind: 'countOrPercent' }) ??
        (value.type === 'list' && value.items.some((v) => v.kind !== 'percent')
          ? { message: 'expected percentages such as [1%, 5%]', range: value.range }
          : undefined)
      );
    default: {
      if (value.type === 'list')
        return { message: 'expected a single value, not a list', range: value.range };
      const m = scalarProblem(type, value);
      return m !== undefined ? { message: m, range: value.range } : undefined;
    }
  }
}
