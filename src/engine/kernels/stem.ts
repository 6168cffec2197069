import { instantiateKernels, KernelHeap } from './module';

/**
 * features/stem.ts's applyStem on the kernels: LayerNorm(x P) for rows of raw features, in chunks
 * (the product in float32 SIMD instead of a float64 loop: 10-20x faster on the demo's 612 -> 256).
 */
export function applyStemWithKernels(
  x: Float32Array,
  n: number,
  inputDim: number,
  p: Float32Array,
  dim: number,
): Float32Array {
  const out = new Float32Array(n * dim);
  if (n === 0) return out;
  const chunk = Math.min(n, 1024);
  const heap = new KernelHeap(instantiateKernels());
  const projection = heap.allocFrom(p);
  const input = heap.alloc(chunk * inputDim);
  const product = heap.alloc(chunk * dim);
  const normalised = heap.alloc(chunk * dim);
  const rstd = heap.alloc(chunk);
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    heap.f32(input, rows * inputDim).set(x.subarray(start * inputDim, (start + rows) * inputDim));
    heap.k.gemm(input, projection, product, rows, inputDim, dim, 0);
    heap.k.layerNorm(product, normalised, rstd, rows, dim, 1e-5);
    out.set(heap.f32(normalised, rows * dim), start * dim);
  }
  return out;
}
