// The matmul ceiling of this machine for our engine: GFLOP/s of a 1024 x 1024 fp32 matmul on the
// TF.js backend the worker would use (wasm here: one thread). Prints one JSON line.
// Usage: node --import tsx bench/pytorch/ceiling.mts [backend=wasm]
import { join } from 'node:path';
import { defaultLoaders, selectBackend } from '../../src/engine/index.ts';
import type { BackendPreference } from '../../src/protocol/spec.ts';

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
console.log(JSON.stringify({ backend: name, gflops: (2 * n ** 3 * repeats) / seconds / 1e9 }));
