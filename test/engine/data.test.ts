import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataError } from '../../src/engine';
import { loadTask } from '../../src/engine/data/loadTask';
import { memoryBudget, selectMemory } from '../../src/engine/memory';
import { createRandom } from '../../src/engine/random';
import { charNgramHashes, charNgrams, fnv1a, tokenize } from '../../src/engine/text/tokenize';
import type { TaskSpec } from '../../src/protocol/spec';
import { tempDir } from './helpers';

const dir = tempDir('l2r-data-');
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
function task(train: string, extra: Partial<TaskSpec['data']> = {}): TaskSpec {
  return {
    name: 't',
    data: {
      train,
      format: train.endsWith('.csv') ? 'csv' : train.endsWith('.tsv') ? 'tsv' : 'jsonl',
      textField: 'text',
      labelField: 'label',
      testSplit: 0.25,
      ...extra,
    },
  };
}
const rows = (n: number, labels = ['a', 'b']): string =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ text: `row ${i}`, label: labels[i % labels.length], doc: `d${i % 7}` }),
  ).join('\n');

describe('data loading: every defect names file, line and field', () => {
  it('reads JSONL, CSV with quotes and BOM, and TSV', async () => {
    assert.equal((await loadTask(task(file('a.jsonl', rows(40))), 0, 1)).classes.length, 2);
    const csv = file(
      'a.csv',
      '\uFEFFtext,label\n' +
        Array.from({ length: 40 }, (_, i) => `"hello, ""world"" ${i}",${i % 2 ? 'x' : 'y'}`).join('\n'),
    );
    const loaded = await loadTask(task(csv), 0, 1);
    assert.ok([...loaded.train.texts, ...loaded.test.texts].some((t) => t.startsWith('hello, "world"')));
    const tsv = file(
      'a.tsv',
      'text\tlabel\n' + Array.from({ length: 40 }, (_, i) => `t ${i}\t${i % 2}`).join('\n'),
    );
    assert.deepEqual((await loadTask(task(tsv), 0, 1)).classes, ['0', '1']);
  });

  it('names a missing file', async () => {
    await assert.rejects(
      loadTask(task(join(dir, 'nope.jsonl')), 0, 1),
      (e: Error) => e instanceof DataError && /nope\.jsonl: file not found/.test(e.message),
    );
  });

  it('names the line of a bad JSON row and of a missing field', async () => {
    await assert.rejects(
      loadTask(task(file('bad.jsonl', `${rows(3)}\n{oops\n`)), 0, 1),
      /bad\.jsonl:4: not valid JSON/,
    );
    await assert.rejects(
      loadTask(task(file('field.jsonl', `${rows(2)}\n{"txt":"x","label":"a"}\n`)), 0, 1),
      /field\.jsonl:3: missing text field "text"/,
    );
  });

  it('names a CSV without the column', async () => {
    await assert.rejects(
      loadTask(task(file('c.csv', 'body,label\nx,a\n')), 0, 1),
      /no text column "text" in the header \(columns: body, label\)/,
    );
  });

  it('refuses a one-class task and an empty task', async () => {
    await assert.rejects(loadTask(task(file('one.jsonl', rows(10, ['a']))), 0, 1), /only one class/);
    await assert.rejects(loadTask(task(file('empty.jsonl', '\n')), 0, 1), /no rows/);
  });

  it('refuses a test label unseen in training', async () => {
    const train = file('tr.jsonl', rows(20));
    const test = file('te.jsonl', rows(5, ['a', 'zzz']));
    await assert.rejects(
      loadTask(task(train, { test, testSplit: undefined }), 0, 1),
      /te\.jsonl:2: label "zzz"/,
    );
  });

  it('keeps split-key groups on one side of the split', async () => {
    const loaded = await loadTask(task(file('g.jsonl', rows(70)), { splitKey: 'doc' }), 0, 3);
    const group = (t: string): string => `d${Number(t.split(' ')[1]) % 7}`;
    const trainGroups = new Set(loaded.train.texts.map(group));
    for (const t of loaded.test.texts) assert.ok(!trainGroups.has(group(t)), `group ${group(t)} leaked`);
  });
});

describe('replay memory', () => {
  const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 90 ? 0 : 1));

  it('is bounded by the budget for every strategy', () => {
    for (const strategy of ['random', 'balanced', 'reservoir'] as const) {
      const chosen = selectMemory(labels, 10, strategy, createRandom(1));
      assert.equal(chosen.length, 10, strategy);
      assert.equal(new Set(chosen).size, 10, strategy);
    }
  });

  it('balanced keeps rare classes', () => {
    const chosen = selectMemory(labels, 10, 'balanced', createRandom(1));
    assert.equal(chosen.filter((i) => labels[i] === 1).length, 5);
  });

  it('sizes the budget by count or percent, at least one, at most all', () => {
    assert.equal(memoryBudget({ size: { kind: 'percent', value: 2 }, strategy: 'random' }, 2000), 40);
    assert.equal(memoryBudget({ size: { kind: 'percent', value: 0.01 }, strategy: 'random' }, 100), 1);
    assert.equal(memoryBudget({ size: { kind: 'count', value: 500 }, strategy: 'random' }, 100), 100);
  });
});

describe('features', () => {
  it('hashes character n-grams without making them: the same hashes as the strings give', () => {
    const tokens = tokenize('Hello, wörld! The UDHR in ሰላም and a b xyzzy');
    const expected = charNgrams(tokens).map(fnv1a);
    const hashes = Array.from(charNgramHashes(tokens));
    assert.ok(expected.length > 20);
    // Grouped by start position instead of by length: the same multiset, which is all the bucket
    // sums depend on.
    assert.deepEqual(
      hashes.sort((a, b) => a - b),
      expected.sort((a, b) => a - b),
    );
  });
});
