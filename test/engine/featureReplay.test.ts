import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classStatistics, proportionalQuotas, replayRows } from '../../src/engine/featureReplay';
import { cholesky, invertSpd } from '../../src/engine/linalg';
import { createRandom } from '../../src/engine/random';
import { replayPerTask } from '../../src/engine/run/memoryRows';
import { tinySpec } from './specFixture';

/** Mean and covariance of the rows of x [n x dim] whose label is `label`. */
function moments(x: Float32Array, dim: number, labels: Int32Array, label: number) {
  const rows = [...labels.keys()].filter((i) => labels[i] === label);
  const mean = Array.from(
    { length: dim },
    (_, j) => rows.reduce((s, i) => s + (x[i * dim + j] ?? 0), 0) / rows.length,
  );
  const cov = (a: number, b: number) =>
    rows.reduce(
      (s, i) => s + ((x[i * dim + a] ?? 0) - (mean[a] ?? 0)) * ((x[i * dim + b] ?? 0) - (mean[b] ?? 0)),
      0,
    ) / rows.length;
  return { n: rows.length, mean, cov };
}

describe('feature replay', () => {
  it('records class means and the within-class scatter (full and diagonal)', () => {
    // Two classes in 2-D: class 0 = (0,0), (2,2); class 1 = (10,0), (10,4).
    const x = Float32Array.from([0, 0, 10, 0, 2, 2, 10, 4]);
    const labels = Int32Array.from([0, 1, 0, 1]);
    const full = classStatistics(x, 2, labels, 2, 'full');
    assert.deepEqual([...full.counts], [2, 2]);
    assert.deepEqual([...full.means], [1, 1, 10, 2]);
    // Residuals: (-1,-1), (1,1) and (0,-2), (0,2).
    assert.deepEqual([...full.scatter], [2, 2, 2, 10]);
    assert.deepEqual([...classStatistics(x, 2, labels, 2, 'diagonal').scatter], [2, 10]);
  });

  it('factors a positive definite matrix, and refuses one that is not', () => {
    const a = Float64Array.from([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]);
    const l = cholesky(a, 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += (l[i * 3 + k] ?? 0) * (l[j * 3 + k] ?? 0);
        assert.ok(Math.abs(s - (a[i * 3 + j] ?? 0)) < 1e-12, `LLᵀ[${i},${j}] = ${s}`);
      }
    assert.throws(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2), /not positive definite at dimension 1/);
    const inv = invertSpd(a, 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += (a[i * 3 + k] ?? 0) * (inv[k * 3 + j] ?? 0);
        assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-12, `(A A⁻¹)[${i},${j}] = ${s}`);
      }
  });

  it('splits a quota over classes in proportion to their counts, exactly', () => {
    assert.deepEqual(proportionalQuotas(Float64Array.from([1, 1, 2]), 8), [2, 2, 4]);
    const q = proportionalQuotas(Float64Array.from([5, 3, 1, 0]), 10);
    assert.equal(
      q.reduce((a, b) => a + b, 0),
      10,
    );
    assert.equal(q[3], 0);
    assert.ok((q[0] ?? 0) > (q[1] ?? 0) && (q[1] ?? 0) > (q[2] ?? 0), `quotas ${q.join(',')}`);
  });

  it('draws pseudo-examples with each class mean and the pooled covariance, labelled in the union', () => {
    // Task 0: classes A (mean (0,0)) and B (mean (5,5)); task 1: class C (mean (-5,0)); within-class
    // covariance [[1, 0.8], [0.8, 1]] everywhere.
    const random = createRandom(3);
    const draw = (mean: readonly number[], n: number): number[] =>
      Array.from({ length: n }, () => {
        const z1 = random.normal();
        const z2 = random.normal();
        return [(mean[0] ?? 0) + z1, (mean[1] ?? 0) + 0.8 * z1 + 0.6 * z2];
      }).flat();
    const t0 = classStatistics(
      Float32Array.from([...draw([0, 0], 3000), ...draw([5, 5], 1000)]),
      2,
      Int32Array.from({ length: 4000 }, (_, i) => (i < 3000 ? 0 : 1)),
      2,
      'full',
    );
    const t1 = classStatistics(Float32Array.from(draw([-5, 0], 2000)), 2, new Int32Array(2000), 1, 'full');
    const rows = replayRows([t0, t1], 8000, createRandom(9));
    assert.equal(rows.unionLabels.length, 16000);
    const a = moments(rows.x, 2, rows.unionLabels, 0);
    const b = moments(rows.x, 2, rows.unionLabels, 1);
    const c = moments(rows.x, 2, rows.unionLabels, 2);
    // Classes in proportion to their training counts (3:1 in task 0), every task the same quota.
    assert.deepEqual([a.n, b.n, c.n], [6000, 2000, 8000]);
    assert.ok(rows.tasks.every((t, i) => t === ((rows.unionLabels[i] ?? 0) < 2 ? 0 : 1)));
    for (const [m, want] of [
      [a, [0, 0]],
      [b, [5, 5]],
      [c, [-5, 0]],
    ] as const)
      want.forEach((w, j) => assert.ok(Math.abs((m.mean[j] ?? 0) - w) < 0.1, `mean ${m.mean.join(',')}`));
    for (const m of [a, b, c]) {
      assert.ok(Math.abs(m.cov(0, 0) - 1) < 0.1 && Math.abs(m.cov(1, 1) - 1) < 0.1, 'variances near 1');
      assert.ok(Math.abs(m.cov(0, 1) - 0.8) < 0.1, `covariance ${m.cov(0, 1)} near 0.8`);
    }
    // The diagonal kind keeps the variances and drops the correlation.
    const diagonal = replayRows(
      [t0, t1].map((s) => ({
        ...s,
        covariance: 'diagonal' as const,
        scatter: s.scatter.filter((_, i) => i % 3 === 0),
      })),
      8000,
      createRandom(9),
    );
    const d = moments(diagonal.x, 2, diagonal.unionLabels, 0);
    assert.ok(
      Math.abs(d.cov(0, 1)) < 0.1 && Math.abs(d.cov(0, 0) - 1) < 0.1,
      `diagonal covariance ${d.cov(0, 1)}`,
    );
    // The same random stream draws the same rows (a resumed run trains on the same data).
    assert.deepEqual(
      replayRows([t0, t1], 50, createRandom(4)).x,
      replayRows([t0, t1], 50, createRandom(4)).x,
    );
  });

  it('replays for vector backbones only', () => {
    const spec = tinySpec();
    const router = { ...spec.router, featureReplay: 300 };
    assert.equal(replayPerTask({ backbone: spec.backbone, router }), 300);
    assert.equal(
      replayPerTask({
        backbone: { type: 'bert', path: '/m', maxLength: 32 },
        router,
      }),
      0,
    );
  });
});
