/**
 * Similarity-based task matching on the frozen representation, for the EPI-, MoCL- and DAM-like
 * baselines. Plain JS on small matrices (dim x dim): no replay memory is involved.
 */

/** Per task: class means and the precision (inverse covariance, shrunk) of within-class scatter. */
export interface TaskGaussians {
  readonly means: Float64Array[];
  readonly precision: Float64Array;
}

export function fitTaskGaussians(
  features: Float32Array,
  labels: Int32Array,
  classes: number,
  dim: number,
): TaskGaussians {
  const n = labels.length;
  const means = Array.from({ length: classes }, () => new Float64Array(dim));
  const counts = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    const c = labels[i] ?? 0;
    counts[c] = (counts[c] ?? 0) + 1;
    const m = means[c] as Float64Array;
    for (let d = 0; d < dim; d++) m[d] = (m[d] ?? 0) + (features[i * dim + d] ?? 0);
  }
  means.forEach((m, c) => m.forEach((v, d) => (m[d] = v / Math.max(1, counts[c] ?? 1))));
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const m = means[labels[i] ?? 0] as Float64Array;
    for (let d = 0; d < dim; d++) centred[d] = (features[i * dim + d] ?? 0) - (m[d] ?? 0);
    for (let a = 0; a < dim; a++) {
      const ca = centred[a] ?? 0;
      if (ca === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] = (cov[a * dim + b] ?? 0) + ca * (centred[b] ?? 0);
    }
  }
  let trace = 0;
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = (cov[a * dim + b] ?? 0) / Math.max(1, n - 1);
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
    trace += cov[a * dim + a] ?? 0;
  }
  // Shrinkage keeps the inverse stable when a task has fewer examples than dimensions.
  const shrink = 0.1 * (trace / dim) + 1e-6;
  for (let a = 0; a < dim; a++) cov[a * dim + a] = (cov[a * dim + a] ?? 0) + shrink;
  return { means, precision: invertSpd(cov, dim) };
}

/** Inverse of a symmetric positive-definite matrix by Cholesky factorisation. */
export function invertSpd(m: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = m[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
      if (i === j) {
        if (sum <= 0) throw new Error('covariance is not positive definite');
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / (l[j * n + j] ?? 1);
    }
  }
  // inv(L) by forward substitution, then inv(M) = inv(L)^T inv(L).
  const li = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = c; i < n; i++) {
      let sum = i === c ? 1 : 0;
      for (let k = c; k < i; k++) sum -= (l[i * n + k] ?? 0) * (li[k * n + c] ?? 0);
      li[i * n + c] = sum / (l[i * n + i] ?? 1);
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = i; k < n; k++) sum += (li[k * n + i] ?? 0) * (li[k * n + j] ?? 0);
      inv[i * n + j] = sum;
      inv[j * n + i] = sum;
    }
  }
  return inv;
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
