/**
 * Linear discriminant analysis from class statistics: class means and one within-class covariance
 * shared by every class of every task (pooled scatter), shrunk toward its scaled identity. A class's
 * score is the linear form of nearest-mean-in-Mahalanobis-distance, s_c(x) = xᵀ Σ⁻¹ μ_c − ½ μ_cᵀ Σ⁻¹ μ_c
 * (the term xᵀ Σ⁻¹ x is the same for every class, so the argmax is the nearest mean; equal priors).
 */

import type { ClassStatistics } from '../featureReplay';
import { meanVariance, pooledCovariance } from '../featureReplay';
import { cholesky, choleskySolve } from '../linalg';

export interface Discriminant {
  readonly dim: number;
  /** Classes of every task, in task order (the union). */
  readonly classes: number;
  /** Σ⁻¹ μ_c as columns: row-major [dim x classes]. */
  readonly weights: Float64Array;
  /** −½ μ_cᵀ Σ⁻¹ μ_c. */
  readonly bias: Float64Array;
}

/**
 * Fits the discriminant of every class in `stats` (full covariance statistics, tasks in order).
 * `shrinkage` α in [0, 1): Σ' = (1 − α) Σ + α m I with m the mean variance, plus a ridge (below) so
 * that α = 0 still inverts when there are fewer examples than dimensions.
 */
export function fitDiscriminant(stats: readonly ClassStatistics[], shrinkage: number): Discriminant {
  const dim = stats[0]?.dim ?? 0;
  if (stats.some((s) => s.covariance !== 'full'))
    throw new Error('a discriminant needs full-covariance statistics');
  const covariance = pooledCovariance(stats);
  const m = meanVariance(covariance, dim);
  for (let i = 0; i < covariance.length; i++) covariance[i] = (1 - shrinkage) * (covariance[i] ?? 0);
  for (let j = 0; j < dim; j++) covariance[j * dim + j] = (covariance[j * dim + j] ?? 0) + shrinkage * m;
  const classes = stats.reduce((sum, s) => sum + s.counts.length, 0);
  // Means as columns: [dim x classes].
  const means = new Float64Array(dim * classes);
  let c = 0;
  for (const s of stats)
    for (let k = 0; k < s.counts.length; k++, c++)
      for (let j = 0; j < dim; j++) means[j * classes + c] = s.means[k * dim + j] ?? 0;
  const weights = choleskySolve(regularisedCholesky(covariance, dim, m), dim, means, classes);
  const bias = new Float64Array(classes);
  for (let j = 0; j < dim; j++)
    for (let k = 0; k < classes; k++)
      bias[k] = (bias[k] ?? 0) - 0.5 * (means[j * classes + k] ?? 0) * (weights[j * classes + k] ?? 0);
  return { dim, classes, weights, bias };
}

/** Every class's score for each row of x [n x dim]: [n x classes] row-major. */
export function discriminantScores(d: Discriminant, x: Float32Array, n: number): Float64Array {
  const { dim, classes, weights, bias } = d;
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    const row = i * classes;
    for (let k = 0; k < classes; k++) out[row + k] = bias[k] ?? 0;
    for (let j = 0; j < dim; j++) {
      const v = x[i * dim + j] ?? 0;
      if (v === 0) continue;
      const w = j * classes;
      for (let k = 0; k < classes; k++) out[row + k] = (out[row + k] ?? 0) + v * (weights[w + k] ?? 0);
    }
  }
  return out;
}

/**
 * The Cholesky factor of `covariance` plus the smallest ridge r m I (r = 1e-6, 1e-5, ... 1e-1) that
 * makes it positive definite: a scatter of fewer examples than dimensions, or of random features of
 * low-dimensional data, is singular, and summed in float32 its null directions can come out slightly
 * negative. (KLDA takes the pseudo-inverse; a ridge this small acts the same on the directions the
 * data spans.)
 */
function regularisedCholesky(covariance: Float64Array, dim: number, scale: number): Float64Array {
  for (let ridge = 1e-6; ; ridge *= 10) {
    const a = Float64Array.from(covariance);
    for (let j = 0; j < dim; j++) a[j * dim + j] = (a[j * dim + j] ?? 0) + ridge * scale + 1e-12;
    try {
      return cholesky(a, dim);
    } catch (error) {
      if (ridge >= 0.1) throw error;
    }
  }
}
