/**
 * Similarity-based task matching on the frozen representation, for the EPI-, MoCL- and DAM-like
 * baselines. Plain JS on small matrices (dim x dim): no replay memory is involved.
 */

import type { ClassStatistics } from '../featureReplay';
import { invertSpd } from '../linalg';

/** Per task: class means and the precision (inverse covariance, shrunk) of within-class scatter. */
export interface TaskGaussians {
  readonly means: Float64Array[];
  readonly precision: Float64Array;
}

export function fitTaskGaussians(stats: ClassStatistics): TaskGaussians {
  const { dim } = stats;
  const classes = stats.counts.length;
  const n = stats.counts.reduce((a, b) => a + b, 0);
  const cov = stats.scatter.map((v) => v / Math.max(1, n - 1));
  let trace = 0;
  for (let a = 0; a < dim; a++) trace += cov[a * dim + a] ?? 0;
  // Shrinkage keeps the inverse stable when a task has fewer examples than dimensions.
  const shrink = 0.1 * (trace / dim) + 1e-6;
  for (let a = 0; a < dim; a++) cov[a * dim + a] = (cov[a * dim + a] ?? 0) + shrink;
  const means = Array.from({ length: classes }, (_, c) => stats.means.slice(c * dim, (c + 1) * dim));
  return { means, precision: invertSpd(cov, dim) };
}

/** EPI-like task identification: the task owning the nearest class mean in Mahalanobis distance. */
export function nearestTaskMahalanobis(
  features: Float32Array,
  n: number,
  dim: number,
  tasks: readonly TaskGaussians[],
): Int32Array {
  const out = new Int32Array(n);
  const diff = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    tasks.forEach((task, t) => {
      for (const mean of task.means) {
        for (let d = 0; d < dim; d++) diff[d] = (features[i * dim + d] ?? 0) - (mean[d] ?? 0);
        let dist = 0;
        for (let a = 0; a < dim; a++) {
          const da = diff[a] ?? 0;
          let row = 0;
          for (let b = 0; b < dim; b++) row += (task.precision[a * dim + b] ?? 0) * (diff[b] ?? 0);
          dist += da * row;
        }
        if (dist < best) {
          best = dist;
          out[i] = t;
        }
      }
    });
  }
  return out;
}

/** Unit-length mean of a task's features: its key (the maximiser of mean cosine similarity). */
export function taskKey(features: Float32Array, n: number, dim: number): Float64Array {
  const key = new Float64Array(dim);
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dim; d++) key[d] = (key[d] ?? 0) + (features[i * dim + d] ?? 0);
  const norm = Math.sqrt(key.reduce((a, v) => a + v * v, 0)) || 1;
  return key.map((v) => v / norm);
}

/** Per example, softmax over tasks of cosine(feature, key_t) / temperature: [n, tasks] row-major. */
export function cosineWeights(
  features: Float32Array,
  n: number,
  dim: number,
  keys: readonly Float64Array[],
  temperature: number,
): Float32Array {
  const out = new Float32Array(n * keys.length);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += (features[i * dim + d] ?? 0) ** 2;
    norm = Math.sqrt(norm) || 1;
    const logits = keys.map((k) => {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += (features[i * dim + d] ?? 0) * (k[d] ?? 0);
      return dot / norm / temperature;
    });
    const max = Math.max(...logits);
    const exp = logits.map((v) => Math.exp(v - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    exp.forEach((v, t) => (out[i * keys.length + t] = v / sum));
  }
  return out;
}
