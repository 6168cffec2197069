import type { Random } from '../random';

/**
 * The frozen stem: a fixed projection of the input features to the backbone width with orthonormal
 * columns (so distances survive), then LayerNorm without parameters. Computed once per example in
 * plain JS: it sits below the first adapter and never changes.
 */
export function orthonormalProjection(inputDim: number, dim: number, random: Random): Float32Array {
  // Gram-Schmidt on Gaussian vectors: `dim` vectors of length `inputDim`, orthonormal when
  // dim <= inputDim; otherwise orthonormal in blocks of inputDim (a tight frame, scaled).
  const p = new Float32Array(inputDim * dim);
  const block: Float64Array[] = [];
  for (let j = 0; j < dim; j++) {
    if (block.length === inputDim) block.length = 0;
    const v = new Float64Array(inputDim);
    for (let i = 0; i < inputDim; i++) v[i] = random.normal();
    for (const u of block) {
      let dot = 0;
      for (let i = 0; i < inputDim; i++) dot += (v[i] ?? 0) * (u[i] ?? 0);
      for (let i = 0; i < inputDim; i++) v[i] = (v[i] ?? 0) - dot * (u[i] ?? 0);
    }
    let norm = 0;
    for (let i = 0; i < inputDim; i++) norm += (v[i] ?? 0) ** 2;
    const inv = 1 / Math.sqrt(norm || 1);
    for (let i = 0; i < inputDim; i++) v[i] = (v[i] ?? 0) * inv;
    block.push(v);
    for (let i = 0; i < inputDim; i++) p[i * dim + j] = v[i] ?? 0;
  }
  return p;
}

/** x [n x inputDim] -> LayerNorm(x P) [n x dim]. */
export function applyStem(
  x: Float32Array,
  n: number,
  inputDim: number,
  p: Float32Array,
  dim: number,
): Float32Array {
  const out = new Float32Array(n * dim);
  const row = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    row.fill(0);
    for (let i = 0; i < inputDim; i++) {
      const xi = x[r * inputDim + i] ?? 0;
      if (xi === 0) continue;
      const base = i * dim;
      for (let j = 0; j < dim; j++) row[j] = (row[j] ?? 0) + xi * (p[base + j] ?? 0);
    }
    let mean = 0;
    for (let j = 0; j < dim; j++) mean += row[j] ?? 0;
    mean /= dim;
    let variance = 0;
    for (let j = 0; j < dim; j++) variance += ((row[j] ?? 0) - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / dim + 1e-5);
    for (let j = 0; j < dim; j++) out[r * dim + j] = ((row[j] ?? 0) - mean) * inv;
  }
  return out;
}
