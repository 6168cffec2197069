import { extname } from 'node:path';
import type { TaskSpec } from '../../protocol/spec';
import { createRandom, shuffled } from '../random';
import type { Random } from '../random';
import { DataError } from './dataset';
import type { Split, TaskData } from './dataset';
import { readRecords } from './readRecords';
import type { RawRecord } from './readRecords';

/** Fraction of the training file carved out for validation (model selection; never the test file). */
export const VALIDATION_FRACTION = 0.1;

/**
 * Loads one task: reads its files, applies label renames and subsets, carves test (when there is no
 * test file, by split-key group) and validation splits, applies caps. Deterministic for a seed.
 * Every defect is a DataError naming the file and line; nothing partial is returned.
 * `taskKey` is the task's position among the stream's declared tasks: the splits are seeded by it,
 * not by the task's name, so renaming a task never changes a number.
 */
export async function loadTask(task: TaskSpec, taskKey: number, seed: number): Promise<TaskData> {
  const d = task.data;
  const fields = { text: d.textField, label: d.labelField, splitKey: d.splitKey };
  const random = createRandom(seed, taskKey, 1);
  const keep = (records: RawRecord[]): RawRecord[] => {
    const renamed = records.map((r) => ({ ...r, label: d.rename?.[r.label] ?? r.label }));
    return d.labels !== undefined ? renamed.filter((r) => d.labels?.includes(r.label)) : renamed;
  };
  const all = keep(await readRecords(d.train, d.format, fields));
  if (all.length === 0)
    throw new DataError(d.train, undefined, 'no rows left after the label subset; check `labels`');
  let trainPool: RawRecord[];
  let testRows: RawRecord[];
  if (d.test !== undefined) {
    trainPool = all;
    testRows = keep(await readRecords(d.test, formatOf(d.test, d.format), fields));
  } else {
    [trainPool, testRows] = splitByGroup(all, d.testSplit ?? 0.2, random);
  }
  const classes = [...new Set(trainPool.map((r) => r.label))].sort();
  if (classes.length < 2) {
    throw new DataError(
      d.train,
      undefined,
      `task "${task.name}" has only one class ("${classes[0] ?? ''}"); a classifier needs at least two`,
    );
  }
  const unknown = testRows.find((r) => !classes.includes(r.label));
  if (unknown !== undefined) {
    throw new DataError(
      d.test ?? d.train,
      unknown.line,
      `label "${unknown.label}" of the test split never occurs in training data`,
    );
  }
  const [trainRows, valRows] = splitByGroup(trainPool, VALIDATION_FRACTION, random);
  const cappedTrain =
    d.maxTrain !== undefined
      ? stratifiedCap(trainRows, Math.ceil(d.maxTrain * (1 - VALIDATION_FRACTION)), random)
      : trainRows;
  const cappedVal =
    d.maxTrain !== undefined
      ? stratifiedCap(valRows, Math.max(1, Math.floor(d.maxTrain * VALIDATION_FRACTION)), random)
      : valRows;
  const cappedTest = d.maxTest !== undefined ? stratifiedCap(testRows, d.maxTest, random) : testRows;
  if (cappedTest.length === 0)
    throw new DataError(d.test ?? d.train, undefined, `task "${task.name}" has no test rows`);
  const toSplit = (rows: readonly RawRecord[]): Split => ({
    texts: rows.map((r) => r.text),
    labels: Int32Array.from(rows, (r) => classes.indexOf(r.label)),
    rows: Int32Array.from(rows, (r) => r.line),
  });
  return {
    name: task.name,
    classes,
    train: toSplit(cappedTrain),
    val: toSplit(cappedVal),
    test: toSplit(cappedTest),
  };
}

function formatOf(file: string, fallback: 'jsonl' | 'csv' | 'tsv'): 'jsonl' | 'csv' | 'tsv' {
  const ext = extname(file).toLowerCase();
  return ext === '.csv'
    ? 'csv'
    : ext === '.tsv'
      ? 'tsv'
      : ext === '.jsonl' || ext === '.json'
        ? 'jsonl'
        : fallback;
}

/** Splits rows so that no group (split key value; each row alone when there is none) straddles both sides. */
function splitByGroup(
  rows: readonly RawRecord[],
  fraction: number,
  random: Random,
): [RawRecord[], RawRecord[]] {
  const groups = new Map<string, RawRecord[]>();
  rows.forEach((r, i) => {
    const key = r.group ?? `#${i}`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [r]);
    else list.push(r);
  });
  const order = shuffled([...groups.keys()].sort(), random);
  const target = Math.max(1, Math.round(rows.length * fraction));
  const held = new Set<string>();
  let count = 0;
  for (const key of order) {
    if (count >= target || held.size >= order.length - 1) break;
    held.add(key);
    count += groups.get(key)?.length ?? 0;
  }
  const kept: RawRecord[] = [];
  const out: RawRecord[] = [];
  for (const [key, list] of groups) (held.has(key) ? out : kept).push(...list);
  return [kept, out];
}

/** At most `limit` rows, keeping class proportions, deterministic. */
function stratifiedCap(rows: readonly RawRecord[], limit: number, random: Random): RawRecord[] {
  if (rows.length <= limit) return [...rows];
  const byLabel = new Map<string, RawRecord[]>();
  for (const r of rows) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
  const kept: RawRecord[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const list = shuffled(byLabel.get(label) ?? [], random);
    kept.push(...list.slice(0, Math.max(1, Math.round((list.length / rows.length) * limit))));
  }
  return shuffled(kept, random).slice(0, limit);
}
