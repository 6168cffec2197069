// The engine's kernel GEMM rate at one shape: a function for ceiling.mts, and, run as a worker
// thread, an answer to one message [m, k, n, reps] (ceiling.mts measures two threads at once).
import { parentPort } from 'node:worker_threads';
import { instantiateKernels, KernelHeap } from '../../src/engine/kernels/module.ts';

/** GFLOP/s of the engine's WebAssembly kernel GEMM for [m x k] . [k x n]. */
export function kernelRate(m: number, k: number, cols: number, reps: number): number {
  const heap = new KernelHeap(instantiateKernels());
  const a = heap.allocFrom(Float32Array.from({ length: m * k }, () => Math.random()));
  const b = heap.allocFrom(Float32Array.from({ length: k * cols }, () => Math.random()));
  const c = heap.alloc(m * cols);
  for (let i = 0; i < 3; i++) heap.k.gemm(a, b, c, m, k, cols, 0);
  const t = performance.now();
  for (let i = 0; i < reps; i++) heap.k.gemm(a, b, c, m, k, cols, 0);
  return (2 * m * k * cols * reps) / ((performance.now() - t) / 1000) / 1e9;
}

parentPort?.once('message', ([m, k, n, reps]: [number, number, number, number]) => {
  parentPort?.postMessage(kernelRate(m, k, n, reps));
});
