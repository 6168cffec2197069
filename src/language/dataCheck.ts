import { dirname, extname, isAbsolute, join } from 'node:path';
import type { Document, PropertyNode, ScalarValue, StreamNode, TaskNode } from './ast';
import type { Diagnostic } from './validate';

/**
 * What the data checks may ask of the file system. Injected, so tests need no disk and the
 * language server can cache. `head` returns at most `bytes` bytes from the start of the file.
 */
export interface FileProbe {
  exists(path: string): Promise<boolean>;
  head(path: string, bytes: number): Promise<string | undefined>;
  size(path: string): Promise<number | undefined>;
}

const HEAD_BYTES = 64 * 1024;

interface Sample {
  readonly columns: readonly string[];
  readonly labels: ReadonlySet<string>;
  /** Rows seen in the head (a lower bound on the file's rows). */
  readonly rows: number;
  /** True when the head is the whole file. */
  readonly complete: boolean;
}

/**
 * Checks what the stream's files can tell cheaply: data/test files exist; their first rows have the
 * text, label and split-key fields; bert folders hold their three files; in class-incremental
 * streams, tasks that share label names; a memory count larger than a task. Reads only file heads.
 */
export async function checkDataFiles(
  doc: Document,
  sourceFile: string,
  probe: FileProbe,
): Promise<Diagnostic[]> {
  const base = dirname(sourceFile);
  const out: Diagnostic[] = [];
  const labelsByTask = new Map<string, { labels: ReadonlySet<string>; node: TaskNode }>();
  const rowsByTask = new Map<string, { rows: number; complete: boolean }>();
  await Promise.all(
    doc.tasks.map(async (task) => {
      const props = new Map(
        task.members.filter((m): m is PropertyNode => m.type === 'property').map((p) => [p.key, p]),
      );
      const fields = ['text', 'label', 'split_key']
        .map((key) => ({ key, name: stringOf(props.get(key)) ?? (key === 'split_key' ? undefined : key) }))
        .filter((f): f is { key: string; name: string } => f.name !== undefined);
      for (const key of ['data', 'test']) {
        const p = props.get(key);
        const path = stringOf(p);
        if (p?.value === undefined || path === undefined) continue;
        const full = isAbsolute(path) ? path : join(base, path);
        if (!(await probe.exists(full))) {
          out.push({
            severity: 'error',
            message: `File not found: ${path} (looked in ${full}).`,
            range: p.value.range,
            code: 'missing-file',
          });
          continue;
        }
        const head = await probe.head(full, HEAD_BYTES);
        const size = await probe.size(full);
        if (head === undefined) continue;
        const sample = sampleOf(
          head,
          formatOf(full, stringOf(props.get('format'))),
          fields.find((f) => f.key === 'label')?.name ?? 'label',
          size !== undefined && size <= HEAD_BYTES,
        );
        for (const f of fields) {
          if (sample.columns.length > 0 && !sample.columns.includes(f.name)) {
            out.push({
              severity: 'error',
              message: `${path} has no field '${f.name}' (${f.key}) in its first rows; it has: ${sample.columns.slice(0, 12).join(', ')}.`,
              range: (props.get(f.key)?.value ?? p.value).range,
              code: 'missing-field',
            });
          }
        }
        if (key === 'data') {
          labelsByTask.set(task.name, { labels: sample.labels, node: task });
          rowsByTask.set(task.name, { rows: sample.rows, complete: sample.complete });
        }
      }
    }),
  );
  for (const stream of doc.streams) {
    warnSharedLabels(stream, labelsByTask, out);
    warnMemoryTooLarge(stream, doc, rowsByTask, out);
    await checkBertFolder(stream, base, probe, out);
  }
  return out;
}

function stringOf(p: PropertyNode | undefined): string | undefined {
  return p?.value?.type === 'scalar' ? p.value.text : undefined;
}

function formatOf(path: string, declared: string | undefined): 'jsonl' | 'csv' | 'tsv' {
  if (declared === 'csv' || declared === 'tsv' || declared === 'jsonl') return declared;
  const ext = extname(path).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.tsv' ? 'tsv' : 'jsonl';
}

function sampleOf(
  head: string,
  format: 'jsonl' | 'csv' | 'tsv',
  labelField: string,
  complete: boolean,
): Sample {
  const text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
  const lines = text.split('\n');
  if (!complete) lines.pop(); // the last line of a head may be cut
  const labels = new Set<string>();
  if (format === 'jsonl') {
    const columns = new Set<string>();
    let rows = 0;
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        const row = JSON.parse(line) as Record<string, unknown>;
        Object.keys(row).forEach((k) => columns.add(k));
        const label = row[labelField];
        if (typeof label === 'string' || typeof label === 'number') labels.add(String(label));
        rows++;
      } catch {
        // A malformed row is reported by the engine with its line number; the head check stays quiet.
      }
    }
    return { columns: [...columns], labels, rows, complete };
  }
  const delimiter = format === 'tsv' ? '\t' : ',';
  const header = (lines[0] ?? '')
    .replace(/\r$/, '')
    .split(delimiter)
    .map((c) => c.trim().replace(/^"|"$/g, ''));
  const labelIndex = header.indexOf(labelField);
  let rows = 0;
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    rows++;
    // Good enough for label names in a head; the engine parses quoting properly.
    const cell = line.split(delimiter)[labelIndex];
    if (labelIndex >= 0 && cell !== undefined) labels.add(cell.trim().replace(/^"|"$/g, ''));
  }
  return { columns: header, labels, rows, complete };
}

function warnSharedLabels(
  stream: StreamNode,
  labelsByTask: Map<string, { labels: ReadonlySet<string>; node: TaskNode }>,
  out: Diagnostic[],
): void {
  const settings = stream.members.find((m) => m.type === 'property' && m.key === 'settings');
  const cil =
    settings === undefined ||
    (settings.type === 'property' &&
      settings.value?.type === 'list' &&
      settings.value.items.some((i) => i.text === 'cil'));
  if (!cil) return;
  const owner = new Map<string, string>();
  for (const [task, { labels, node }] of labelsByTask) {
    for (const label of labels) {
      const other = owner.get(label);
      if (other !== undefined && other !== task) {
        out.push({
          severity: 'warning',
          message: `Task '${task}' shares the label '${label}' with task '${other}': in class-incremental evaluation label spaces are unioned, so rename one (rename { "${label}" = "${task}-${label}" }).`,
          range: node.nameRange,
          code: 'shared-label',
        });
        break;
      }
      owner.set(label, task);
    }
  }
}

function warnMemoryTooLarge(
  stream: StreamNode,
  doc: Document,
  rows: Map<string, { rows: number; complete: boolean }>,
  out: Diagnostic[],
): void {
  const memory = stream.members.find((m) => m.type === 'block' && m.key === 'memory');
  const size = memory?.type === 'block' ? memory.properties.find((p) => p.key === 'size') : undefined;
  const value = size?.value;
  if (value?.type !== 'scalar' || value.kind !== 'number' || value.number === undefined) return;
  for (const task of doc.tasks) {
    const maxTrain = task.members.find(
      (m): m is PropertyNode => m.type === 'property' && m.key === 'max_train',
    )?.value as ScalarValue | undefined;
    const known = rows.get(task.name);
    const available = maxTrain?.number ?? (known?.complete === true ? known.rows : undefined);
    if (available !== undefined && value.number > available) {
      out.push({
        severity: 'warning',
        message: `Memory size ${value.number} is larger than task '${task.name}' (${available} training rows): the whole task would be kept.`,
        range: value.range,
        code: 'memory-too-large',
      });
    }
  }
}

async function checkBertFolder(
  stream: StreamNode,
  base: string,
  probe: FileProbe,
  out: Diagnostic[],
): Promise<void> {
  const backbone = stream.members.find((m) => m.type === 'block' && m.key === 'backbone');
  if (backbone?.type !== 'block') return;
  const type = backbone.properties.find((p) => p.key === 'type')?.value;
  const path = backbone.properties.find((p) => p.key === 'path');
  if (type?.type !== 'scalar' || type.text !== 'bert' || path?.value?.type !== 'scalar') return;
  const folder = isAbsolute(path.value.text) ? path.value.text : join(base, path.value.text);
  const missing: string[] = [];
  for (const file of ['config.json', 'model.safetensors', 'vocab.txt'])
    if (!(await probe.exists(join(folder, file)))) missing.push(file);
  if (missing.length > 0) {
    out.push({
      severity: 'error',
      message: `The bert checkpoint folder ${path.value.text} lacks ${missing.join(', ')} (a Hugging Face checkpoint has config.json, model.safetensors and vocab.txt).`,
      range: path.value.range,
      code: 'bert-folder',
    });
  }
}
