import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracy, macroF1, std, transferMetrics } from '../../src/engine';
import { addTaskPrior } from '../../src/engine/eval/evaluate';
import { aggregateRows } from '../../src/engine/run/results';

describe('metrics on hand-computed cases', () => {
  it('accuracy and macro-F1', () => {
    assert.equal(accuracy([0, 1, 1, 0], [0, 1, 0, 0]), 75);
    // class 0: tp 2, fn 1 -> F1 0.8; class 1: tp 1, fp 1 -> F1 2/3. Mean 0.7333.
    assert.ok(Math.abs(macroF1([0, 1, 1, 0], [0, 1, 0, 0], 2) - 73.333) < 1e-3);
  });

  it('forgetting, BWT and FWT from an accuracy matrix', () => {
    const r = [
      [90, 10, 5],
      [70, 80, 20],
      [60, 75, 85],
    ];
    const { forgetting, bwt, fwt } = transferMetrics(r, [8, 12, 10]);
    // forgetting: task0 max(90,70)-60 = 30; task1 80-75 = 5 -> 17.5
    assert.equal(forgetting, 17.5);
    // BWT: (60-90 + 75-80)/2 = -17.5
    assert.equal(bwt, -17.5);
    // FWT: (r[0][1]-b1 + r[1][2]-b2)/2 = (10-12 + 20-10)/2 = 4
    assert.equal(fwt, 4);
  });

  it('mean ± std over seeds', () => {
    assert.ok(Math.abs(std([1, 2, 3, 4]) - 1.29099) < 1e-4);
    const rows = [1, 2].map((seed) => ({
      seed,
      order: 'o',
      method: 'l2r-wavg',
      setting: 'cil' as const,
      accuracy: seed * 10,
      macroF1: 5,
      perTask: {},
    }));
    const [a] = aggregateRows(rows);
    assert.equal(a?.n, 2);
    assert.equal(a?.accuracyMean, 15);
    assert.ok(Math.abs((a?.accuracyStd ?? 0) - 7.0711) < 1e-3);
  });
});

describe("the routers' task evidence in CIL", () => {
  it("adds weight x mean log score of each class's task adapter, per example", () => {
    // One example, two layers, two tasks: task 0 has classes 0-1, task 1 has class 2.
    const logits = Float32Array.from([2, 1, 1.5]);
    const scores = Float32Array.from([0.5, 0.9, 0.5, 0.1]); // layer 1: [0.5, 0.9], layer 2: [0.5, 0.1]
    const out = addTaskPrior(logits, scores, { count: 1, layers: 2, offsets: [0, 2, 3], weight: 2 });
    const t0 = (2 * (Math.log(0.5) + Math.log(0.5))) / 2;
    const t1 = (2 * (Math.log(0.9) + Math.log(0.1))) / 2;
    assert.deepEqual(
      [...out].map((v) => v.toFixed(5)),
      [2 + t0, 1 + t0, 1.5 + t1].map((v) => v.toFixed(5)),
    );
    assert.deepEqual([...logits], [2, 1, 1.5], 'the input is left alone');
  });
});
