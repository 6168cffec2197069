/**
 * Nearest class mean by cosine similarity over every class of every task: the cheapest
 * rehearsal-free reference (no covariance, no training).
 */

import type { ClassStatistics } from '../featureReplay';

/** Cosine similarity of each row of x [n x dim] to every class mean, classes in task order: [n x classes]. */
export function cosineScores(stats: readonly ClassStatistics[], x: Float32Array, n: number): Float64Array {
  const dim = stats[0]?.dim ?? 0;
  const units: Float64Array[] = stats.flatMap((s) =>
    Array.from({ length: s.counts.length }, (_, c) => unit(s.means.subarray(c * dim, (c + 1) * dim))),
  );
  const classes = units.length;
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    const row = x.subarray(i * dim, (i + 1) * dim);
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += (row[j] ?? 0) ** 2;
    norm = Math.sqrt(norm) || 1;
    units.forEach((u, c) => {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += (row[j] ?? 0) * (u[j] ?? 0);
      out[i * classes + c] = dot / norm;
    });
  }
  return out;
}

function unit(v: Float64Array): Float64Array {
  const norm = Math.sqrt(v.reduce((a, b) => a + b * b, 0)) || 1;
  return v.map((x) => x / norm);
}
