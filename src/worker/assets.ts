import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where the worker finds its run-time files. Bundled (dist/worker.js): the wasm binaries and the
 * adapter and gradient threads' bundles sit next to the bundle and the word vectors in ../media. From sources (tests, benchmarks): node_modules and
 * the repository's media folder.
 */
export function assetPaths(here: string): {
  wasmDir: string;
  gloveFile: string;
  adapterThread: string;
  gradientThread: string;
} {
  const wasmNextTo = existsSync(join(here, 'tfjs-backend-wasm.wasm'));
  const root = wasmNextTo ? join(here, '..') : join(here, '..', '..');
  return {
    wasmDir: wasmNextTo ? here : join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
    gloveFile: join(root, 'media', 'glove100.bin'),
    adapterThread: wasmNextTo
      ? join(here, 'adapterThread.js')
      : join(root, 'src', 'engine', 'parallel', 'adapterThread.ts'),
    gradientThread: wasmNextTo
      ? join(here, 'gradientThread.js')
      : join(root, 'src', 'engine', 'kernels', 'gradientThread.ts'),
  };
}

export function hereOf(metaUrl: string): string {
  return dirname(new URL(metaUrl).pathname);
}
