import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PreparedTask } from '../../src/engine/run/prepared';
import { statisticsPriors } from '../../src/engine/run/statisticsPrior';
import { tinySpec } from './specFixture';

/** A task of 2-D stem features with the given class centres (labels cycle over them). */
function task(name: string, centres: number[][], n = 40): PreparedTask {
  const labels = Int32Array.from({ length: n }, (_, i) => i % centres.length);
  const train = new Float32Array(n * 2);
  labels.forEach((c, i) => {
    const jitter = ((i * 7) % 5) / 10 - 0.2;
    train[i * 2] = (centres[c]?.[0] ?? 0) + jitter;
    train[i * 2 + 1] = (centres[c]?.[1] ?? 0) - jitter / 2;
  });
  const split = { texts: [], labels };
  return {
    data: { name, classes: centres.map((_, c) => `${name}${c}`), train: split, val: split, test: split },
    train,
    val: train,
    test: train,
  } as unknown as PreparedTask;
}

describe('the statistics prior', () => {
  const tasks = new Map([
    [
      'a',
      task('a', [
        [0, 0],
        [4, 0],
      ]),
    ],
    [
      'b',
      task('b', [
        [0, 4],
        [4, 4],
        [8, 8],
      ]),
    ],
  ]);
  const seed = { tasks, width: 2 };
  const x = Float32Array.from([0.1, 0.1, 7.9, 8.1]);
  const sets = [{ taskIndex: 0, x, dim: 2, labels: Int32Array.from([0, 2]), classes: 2 }];

  it('is λ · log p(class | x) under the stem LDA: a distribution over the union, peaked at the nearest mean', () => {
    const spec = tinySpec();
    const priors = statisticsPriors(
      { ...spec, router: { ...spec.router, statisticsPrior: 2, statisticsPriorLevel: 'class' } },
      seed,
      ['a', 'b'],
      sets,
    );
    const prior = priors?.[0] ?? new Float32Array();
    assert.equal(prior.length, 2 * 5);
    for (let i = 0; i < 2; i++) {
      const row = Array.from(prior.subarray(i * 5, (i + 1) * 5), (v) => v / 2);
      assert.ok(Math.abs(row.reduce((s, v) => s + Math.exp(v), 0) - 1) < 1e-5, 'probabilities sum to one');
      const best = row.indexOf(Math.max(...row));
      assert.equal(best, i === 0 ? 0 : 4, 'the nearest class mean wins');
    }
  });

  it('at task level gives every class of a task that task’s log-probability; off at weight 0 and for bert', () => {
    const spec = tinySpec();
    const priors = statisticsPriors(
      { ...spec, router: { ...spec.router, statisticsPrior: 1, statisticsPriorLevel: 'task' } },
      seed,
      ['a', 'b'],
      sets,
    );
    const row = Array.from(priors?.[0]?.subarray(0, 5) ?? []);
    assert.equal(row[0], row[1]);
    assert.equal(row[2], row[3]);
    assert.equal(row[3], row[4]);
    assert.ok(Math.abs(Math.exp(row[0] ?? 0) + Math.exp(row[2] ?? 0) - 1) < 1e-5);
    assert.equal(statisticsPriors(spec, seed, ['a', 'b'], sets), undefined, 'tinySpec has the prior off');
    const bert = { ...spec, backbone: { type: 'bert' as const, path: '', maxLength: 8 } };
    assert.equal(
      statisticsPriors({ ...bert, router: { ...spec.router, statisticsPrior: 1 } }, seed, ['a', 'b'], sets),
      undefined,
    );
  });
});
