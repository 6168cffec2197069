// The matmul ceiling of this machine for our engine: GFLOP/s of a 1024 x 1024 fp32 matmul on the
// TF.js backend the worker would use (wasm here: one thread), and of the engine's WebAssembly kernel
// GEMM at 1024² and at the default model's shape (64 x 256 x 320). Prints one JSON line.
// Usage: node --import tsx bench/pytorch/ceiling.mts [backend=wasm]
import { join } from 'node:path';
import { defaultLoaders, selectBackend } from '../../src/engine/index.ts';
import type { BackendPreference } from '../../src/protocol/spec.ts';
import { instantiateKernels, KernelHeap } from '../../src/engine/kernels/module.ts';

const root = join(import.meta.dirname, '..', '..');
const { tf, name } = await selectBackend(
  (process.argv[2] ?? 'wasm') as BackendPreference,
  defaultLoaders({ wasmDir: join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') }),
);
const n = 1024;
const a = tf.randomNormal([n, n]);
const b = tf.randomNormal([n, n]);
for (let i = 0; i < 3; i++) await tf.matMul(a, b).data();
const repeats = 20;
const started = performance.now();
for (let i = 0; i < repeats; i++) {
  const c = tf.matMul(a, b);
  await c.data();
  c.dispose();
}
const seconds = (performance.now() - started) / 1000;

/** GFLOP/s of the engine's WebAssembly kernel GEMM for [m x k] . [k x n]. */
function kernelRate(m: number, k: number, cols: number, reps: number): number {
  const heap = new KernelHeap(instantiateKernels());
  const a = heap.allocFrom(Float32Array.from({ length: m * k }, () => Math.random()));
  const b = heap.allocFrom(Float32Array.from({ length: k * cols }, () => Math.random()));
  const c = heap.alloc(m * cols);
  for (let i = 0; i < 3; i++) heap.k.gemm(a, b, c, m, k, cols, 0);
  const t = performance.now();
  for (let i = 0; i < reps; i++) heap.k.gemm(a, b, c, m, k, cols, 0);
  return (2 * m * k * cols * reps) / ((performance.now() - t) / 1000) / 1e9;
}

console.log(
  JSON.stringify({
    backend: name,
    gflops: (2 * n ** 3 * repeats) / seconds / 1e9,
    kernels1024: kernelRate(1024, 1024, 1024, 5),
    kernelsModelShape: kernelRate(64, 256, 320, 2000),
  }),
);
