// The matmul ceiling of this machine for our engine: GFLOP/s of a 1024 x 1024 fp32 matmul on the
// TF.js backend the worker would use (wasm here: one thread), and of the engine's WebAssembly kernel
// GEMM at 1024², at the default model's shape (64 x 256 x 320) and at the transformer's feed-forward
// shape (2048 token rows x 256 x 1024), on one thread and on two at once (one kernel instance per
// thread, as the engine's helper threads run). Prints one JSON line.
// Usage: node --import tsx bench/pytorch/ceiling.mts [backend=wasm]
import { join } from 'node:path';
import { defaultLoaders, selectBackend } from '../../src/engine/index.ts';
import type { BackendPreference } from '../../src/protocol/spec.ts';
import { typeScriptWorker } from '../../src/engine/parallel/adapterHelper.ts';
import { kernelRate } from './gemmRate.mts';

const MODEL = [64, 256, 320, 2000] as const;
const TRANSFORMER = [2048, 256, 1024, 20] as const;

/** The two threads' rates added up, each measuring the same product at the same time. */
async function twoThreadRate(shape: readonly [number, number, number, number]): Promise<number> {
  const script = join(import.meta.dirname, 'gemmRate.mts');
  const rates = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<number>((resolve, reject) => {
          const w = typeScriptWorker(script);
          w.once('message', (rate: number) => {
            resolve(rate);
            void w.terminate();
          });
          w.once('error', reject);
          w.once('online', () => w.postMessage(shape));
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}

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
console.log(
  JSON.stringify({
    backend: name,
    gflops: (2 * n ** 3 * repeats) / seconds / 1e9,
    kernels1024: kernelRate(1024, 1024, 1024, 5),
    kernelsModelShape: kernelRate(...MODEL),
    kernelsModelShapeTwoThreads: await twoThreadRate(MODEL),
    kernelsTransformerShape: kernelRate(...TRANSFORMER),
    kernelsTransformerShapeTwoThreads: await twoThreadRate(TRANSFORMER),
  }),
);
