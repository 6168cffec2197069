// Deterministic splitting and writing shared by the example-data builders (build-mtl5.mjs,
// build-lexica.mjs): a seeded PRNG, group splits stratified by label, stratified caps, JSONL files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** mulberry32: a small seeded PRNG, so every shuffle is reproducible. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle(items, random) {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Splits groups (documents, speeches, articles) into train/test, stratified by the group's label. */
export function splitGroups(groups, testFraction, random) {
  const byLabel = new Map();
  for (const g of groups) byLabel.set(g.label, [...(byLabel.get(g.label) ?? []), g]);
  const test = new Set();
  for (const label of [...byLabel.keys()].sort()) {
    const list = shuffle(byLabel.get(label), random);
    const k = Math.max(1, Math.round(list.length * testFraction));
    for (const g of list.slice(0, k)) test.add(g.id);
  }
  return test;
}

/** Stratified deterministic subsample to at most `cap` rows, keeping class proportions. */
export function cap(rows, limit, random) {
  if (rows.length <= limit) return shuffle(rows, random);
  const byLabel = new Map();
  for (const r of rows) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
  const kept = [];
  for (const label of [...byLabel.keys()].sort()) {
    const list = shuffle(byLabel.get(label), random);
    kept.push(...list.slice(0, Math.max(1, Math.round((list.length / rows.length) * limit))));
  }
  return shuffle(kept, random).slice(0, limit);
}

export function write(outDir, task, split, rows) {
  const lines = rows.map((r) => JSON.stringify({ text: r.text, label: r.label, doc: r.doc })).join('\n');
  writeFileSync(join(outDir, `${task}.${split}.jsonl`), `${lines}\n`);
}

export function summarise(task, train, test) {
  const counts = new Map();
  for (const r of train) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  const majority = Math.max(...counts.values()) / train.length;
  console.log(
    `${task.padEnd(8)} train ${String(train.length).padStart(4)}  test ${String(test.length).padStart(4)}  classes ${String(counts.size).padStart(2)}  majority ${(100 * majority).toFixed(1)}%`,
  );
  return { task, train: train.length, test: test.length, classes: counts.size, majority };
}

/** rows: {text,label,doc}; groups are docs. Splits by doc, then caps both sides (`caps`: train, test). */
export function finish({ outDir, trainCap, testCap }, task, rows, testFraction, seed) {
  const random = rng(seed);
  const groups = new Map();
  for (const r of rows) if (!groups.has(r.doc)) groups.set(r.doc, { id: r.doc, label: r.label });
  const testDocs = splitGroups(
    [...groups.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    testFraction,
    random,
  );
  const train = cap(
    rows.filter((r) => !testDocs.has(r.doc)),
    trainCap,
    random,
  );
  const test = cap(
    rows.filter((r) => testDocs.has(r.doc)),
    testCap,
    random,
  );
  write(outDir, task, 'train', train);
  write(outDir, task, 'test', test);
  return summarise(task, train, test);
}
