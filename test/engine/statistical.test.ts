import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClassStatistics } from '../../src/engine/featureReplay';
import { classStatistics } from '../../src/engine/featureReplay';
import { cholesky, choleskySolve } from '../../src/engine/linalg';
import { createRandom } from '../../src/engine/random';
import { discriminantScores, fitDiscriminant } from '../../src/engine/statistical/discriminant';
import { mergeStatistics } from '../../src/engine/statistical/frozenSets';
import {
  kernelDiscriminantProbabilities,
  lengthScale,
} from '../../src/engine/statistical/kernelDiscriminant';
import { cosineScores } from '../../src/engine/statistical/nearestMean';
import { predictionsFromScores, taskOfClass } from '../../src/engine/statistical/predictions';
import { drawFourierMap, fourierFeatures } from '../../src/engine/statistical/randomFeatures';

/** Statistics of a task whose classes have these means and whose pooled covariance is `covariance`. */
function statsOf(means: number[][], covariance: number[], perClass = 11): ClassStatistics {
  const dim = means[0]?.length ?? 0;
  const dof = means.length * (perClass - 1);
  return {
    dim,
    counts: Float64Array.from(means, () => perClass),
    means: Float64Array.from(means.flat()),
    scatter: Float64Array.from(covariance, (v) => v * dof),
    covariance: 'full',
  };
}

describe('statistical baselines: the maths on cases computed by hand', () => {
  it('solves L Lᵀ X = B for several right-hand sides', () => {
    const a = Float64Array.from([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]);
    const b = Float64Array.from([1, 0, 2, 1, -1, 3]); // [3 x 2]
    const x = choleskySolve(cholesky(a, 3), 3, b, 2);
    for (let i = 0; i < 3; i++)
      for (let c = 0; c < 2; c++) {
        let sum = 0;
        for (let k = 0; k < 3; k++) sum += (a[i * 3 + k] ?? 0) * (x[k * 2 + c] ?? 0);
        assert.ok(Math.abs(sum - (b[i * 2 + c] ?? 0)) < 1e-12, `row ${i} column ${c}`);
      }
  });

  it('LDA on two 2-D Gaussians with a shared covariance: the boundary x1 + x2 = 1', () => {
    // Σ = [[2, 1], [1, 2]], μ0 = (0, 0), μ1 = (1, 1): Σ⁻¹(μ1 − μ0) = (1, 1)/3, and the boundary is
    // (x1 + x2)/3 = ½ (μ1 − μ0)ᵀ Σ⁻¹ (μ1 + μ0) = 1/3. Each class in its own task, as in a stream.
    const cov = [2, 1, 1, 2];
    const d = fitDiscriminant([statsOf([[0, 0]], cov), statsOf([[1, 1]], cov)], 0);
    const x = Float32Array.from([0.4, 0.5, 0.6, 0.5, -3, 3.9, 5, -3.9]);
    const scores = discriminantScores(d, x, 4);
    const margins = [0, 1, 2, 3].map((i) => (scores[i * 2 + 1] ?? 0) - (scores[i * 2] ?? 0));
    // s1 − s0 = (x1 + x2 − 1)/3 exactly (up to the 1e-6 ridge).
    const expected = [-0.1 / 3, 0.1 / 3, -0.1 / 3, 0.1 / 3];
    margins.forEach((m, i) => assert.ok(Math.abs(m - (expected[i] ?? 0)) < 1e-5, `point ${i}: ${m}`));
    const { cil } = predictionsFromScores(scores, 4, [0, 1, 2], 0);
    assert.deepEqual([...cil], [0, 1, 0, 1]);
  });

  it('LDA from sampled Gaussians agrees with the Bayes boundary', () => {
    const random = createRandom(5);
    const n = 4000;
    const x = new Float32Array(n * 2);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 2;
      // Correlated noise with covariance [[2, 1], [1, 2]]: z1 + z2 shared part.
      const shared = random.normal();
      x[i * 2] = c + shared + random.normal();
      x[i * 2 + 1] = c + shared + random.normal();
      labels[i] = c;
    }
    const d = fitDiscriminant([classStatistics(x, 2, labels, 2, 'full')], 0);
    const probe = Float32Array.from([0.3, 0.5, 0.7, 0.5]);
    const { cil } = predictionsFromScores(discriminantScores(d, probe, 2), 2, [0, 2], 0);
    assert.deepEqual([...cil], [0, 1]);
  });

  it('shrinkage pulls the covariance toward its scaled identity', () => {
    // With α → 1 the metric is Euclidean: the boundary becomes the perpendicular bisector x1 + x2 = 1
    // for these means as well, but a point off the diagonal now scores by plain distance.
    const cov = [4, 0, 0, 0.25];
    const stats = [statsOf([[0, 0]], cov), statsOf([[1, 0]], cov)];
    const x = Float32Array.from([0.45, 0]);
    const plain = discriminantScores(fitDiscriminant(stats, 0), x, 1);
    const euclid = discriminantScores(fitDiscriminant(stats, 0.99), x, 1);
    // Both pick class 0 (x1 < ½); the margin scales with 1/σ² of x1: 1/4 without shrinkage.
    const margin = (s: Float64Array): number => (s[1] ?? 0) - (s[0] ?? 0);
    assert.ok(Math.abs(margin(plain) - -0.05 / 4) < 1e-6, String(margin(plain)));
    assert.ok(margin(euclid) < 0);
  });

  it('random Fourier features approximate the RBF kernel', () => {
    const dim = 3;
    const map = drawFourierMap(dim, 8192, 1.5, createRandom(9));
    const x = Float32Array.from([0, 0, 0, 1, 0, 0, 0.5, -1, 1, 2, 2, 0]);
    const z = fourierFeatures(map, x, 4);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        let dot = 0;
        for (let f = 0; f < 8192; f++) dot += (z[i * 8192 + f] ?? 0) * (z[j * 8192 + f] ?? 0);
        let d2 = 0;
        for (let k = 0; k < dim; k++) d2 += ((x[i * dim + k] ?? 0) - (x[j * dim + k] ?? 0)) ** 2;
        const kernel = Math.exp(-d2 / (2 * 1.5 * 1.5));
        assert.ok(Math.abs(dot - kernel) < 0.04, `k(${i}, ${j}) = ${kernel}, features give ${dot}`);
      }
  });

  it('the kernel length scale is the bandwidth times the first task’s root mean squared spread', () => {
    // Rows (0,0), (2,0), (0,2), (2,2): mean (1,1), every squared distance to it 2.
    const first = {
      features: Float32Array.from([0, 0, 2, 0, 0, 2, 2, 2]),
      labels: new Int32Array(4),
      classes: 1,
    };
    assert.ok(Math.abs(lengthScale(first, 2, 3) - 3 * Math.SQRT2) < 1e-9);
  });

  it('KLDA separates two classes a linear boundary cannot (a ring around a blob)', () => {
    const random = createRandom(3);
    const rows: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 600; i++) {
      const ring = i % 2;
      const angle = random.next() * 2 * Math.PI;
      const r = ring === 1 ? 3 + 0.2 * random.normal() : 0.5 * Math.abs(random.normal());
      rows.push(r * Math.cos(angle), r * Math.sin(angle));
      labels.push(ring);
    }
    const train = [{ features: Float32Array.from(rows), labels: Int32Array.from(labels), classes: 2 }];
    const test = Float32Array.from([0.1, -0.2, 3, 0, 0, -2.9, -2.1, 2.1]);
    const [probabilities] = kernelDiscriminantProbabilities(
      train,
      [test],
      2,
      { features: 512, bandwidth: 0.5, ensemble: 2 },
      (m) => createRandom(11, m),
    );
    const { cil } = predictionsFromScores(probabilities ?? new Float64Array(), 4, [0, 2], 0);
    assert.deepEqual([...cil], [0, 1, 1, 1]);
    for (let i = 0; i < 4; i++) {
      const sum = (probabilities?.[i * 2] ?? 0) + (probabilities?.[i * 2 + 1] ?? 0);
      assert.ok(Math.abs(sum - 2) < 1e-9, 'each member adds a probability distribution');
    }
  });

  it('nearest class mean by cosine ignores the length of the input', () => {
    const stats = [statsOf([[1, 0]], [1, 0, 0, 1]), statsOf([[0, 3]], [1, 0, 0, 1])];
    const scores = cosineScores(stats, Float32Array.from([2, 1, 20, 10, 1, 2]), 3);
    assert.ok(Math.abs((scores[0] ?? 0) - 2 / Math.sqrt(5)) < 1e-12);
    assert.ok(Math.abs((scores[1] ?? 0) - 1 / Math.sqrt(5)) < 1e-12);
    assert.equal(scores[2], scores[0]);
    const { cil, til } = predictionsFromScores(scores, 3, [0, 1, 2], 1);
    assert.deepEqual([...cil], [0, 0, 1]);
    assert.deepEqual([...til], [0, 0, 0], 'TIL picks within the task (one class here)');
  });

  it('CIL argmax over the union, TIL within the task, and the task of a class', () => {
    // Two tasks: classes 0-1 and 2-4.
    const scores = Float64Array.from([0, 1, 5, 0, 0, 9, 0, 0, 2, 3]);
    const { cil, til } = predictionsFromScores(scores, 2, [0, 2, 5], 1);
    assert.deepEqual([...cil], [2, 0]);
    assert.deepEqual([...til], [0, 2]);
    assert.deepEqual([...taskOfClass(Int32Array.from([0, 1, 2, 4]), [0, 2, 5])], [0, 0, 1, 1]);
  });

  it('merged statistics keep every class and sum the scatter', () => {
    const a = statsOf([[0, 0]], [1, 0, 0, 1]);
    const b = statsOf(
      [
        [1, 1],
        [2, 2],
      ],
      [2, 0, 0, 2],
    );
    const m = mergeStatistics([a, b]);
    assert.deepEqual([...m.counts], [11, 11, 11]);
    assert.deepEqual([...m.means], [0, 0, 1, 1, 2, 2]);
    assert.deepEqual([...m.scatter], [10 + 40, 0, 0, 10 + 40]);
  });
});
