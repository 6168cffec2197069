/**
 * Random Fourier features of an RBF kernel (Rahimi and Recht, 2007), as KLDA uses them: z(x) =
 * sqrt(2 / D) cos(x Ω + b) with Ω ~ N(0, 1/ℓ²) entrywise [dim x D] and b ~ U(0, 2π), so that
 * z(x)ᵀ z(y) ≈ exp(−‖x − y‖² / (2ℓ²)) for large D.
 */

import { instantiateKernels, KernelHeap, kernelsSupported } from '../kernels/module';
import type { Random } from '../random';

export interface FourierMap {
  readonly dim: number;
  readonly features: number;
  /** Row-major [dim x features]. */
  readonly omega: Float32Array;
  readonly phase: Float32Array;
}

/** Draws a map for the RBF kernel of length scale `lengthScale`. */
export function drawFourierMap(
  dim: number,
  features: number,
  lengthScale: number,
  random: Random,
): FourierMap {
  const omega = new Float32Array(dim * features);
  for (let i = 0; i < omega.length; i++) omega[i] = random.normal() / lengthScale;
  const phase = new Float32Array(features);
  for (let i = 0; i < features; i++) phase[i] = random.next() * 2 * Math.PI;
  return { dim, features, omega, phase };
}

/** z(x) for each row of x [n x dim]: [n x features]. The product x Ω runs on the kernels where they run. */
export function fourierFeatures(map: FourierMap, x: Float32Array, n: number): Float32Array {
  const { dim, features, omega, phase } = map;
  const out = project(x, n, dim, omega, features);
  const scale = Math.sqrt(2 / features);
  for (let i = 0; i < n; i++)
    for (let f = 0; f < features; f++)
      out[i * features + f] = scale * Math.cos((out[i * features + f] ?? 0) + (phase[f] ?? 0));
  return out;
}

/** x [n x dim] times omega [dim x features], in row chunks that fit one kernel instance. */
function project(
  x: Float32Array,
  n: number,
  dim: number,
  omega: Float32Array,
  features: number,
): Float32Array {
  const out = new Float32Array(n * features);
  if (!kernelsSupported()) {
    for (let i = 0; i < n; i++)
      for (let j = 0; j < dim; j++) {
        const v = x[i * dim + j] ?? 0;
        if (v === 0) continue;
        for (let f = 0; f < features; f++)
          out[i * features + f] = (out[i * features + f] ?? 0) + v * (omega[j * features + f] ?? 0);
      }
    return out;
  }
  const chunk = Math.max(1, Math.min(n, 512));
  const heap = new KernelHeap(instantiateKernels());
  const w = heap.allocFrom(omega);
  const rows = heap.alloc(chunk * dim);
  const product = heap.alloc(chunk * features);
  for (let start = 0; start < n; start += chunk) {
    const count = Math.min(chunk, n - start);
    heap.f32(rows, count * dim).set(x.subarray(start * dim, (start + count) * dim));
    heap.k.gemm(rows, w, product, count, dim, features, 0);
    out.set(heap.f32(product, count * features), start * features);
  }
  return out;
}
