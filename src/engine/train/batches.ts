import type { Random } from '../random';
import { permutation } from '../random';

/** Rows of a row-major matrix gathered into a fresh buffer (one batch). */
export function gatherRows(source: Float32Array, width: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i] ?? 0;
    out.set(source.subarray(r * width, (r + 1) * width), i * width);
  }
  return out;
}

/** Shuffled mini-batches of row indices for one epoch. */
export function epochBatches(n: number, batchSize: number, random: Random): Int32Array[] {
  const order = permutation(n, random);
  const batches: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize)
    batches.push(order.subarray(start, Math.min(n, start + batchSize)));
  return batches;
}
