import { createRequire } from 'node:module';
import type { BackendName } from '../protocol/spec';
import type { BackendLoader } from './backend';
import type { Tf } from './tf';

/**
 * The real loaders. Native packages are optional dependencies loaded with require() at run time
 * (a bundler must leave them external); they return their own tfjs namespace. The wasm and cpu
 * backends are bundled.
 */
export function defaultLoaders(options: { readonly wasmDir: string }): Record<BackendName, BackendLoader> {
  return {
    gpu: () => loadNative('@tensorflow/tfjs-node-gpu', 'tensorflow'),
    node: () => loadNative('@tensorflow/tfjs-node', 'tensorflow'),
    wasm: async () => {
      const { tf, setWasmPaths } = await import('./bundledTf');
      // Node cannot fetch file URLs: the wasm backend reads the binaries from this folder.
      setWasmPaths(options.wasmDir.endsWith('/') ? options.wasmDir : `${options.wasmDir}/`);
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
      await tf.ready();
      return tf;
    },
    cpu: async () => {
      const { tf } = await import('./bundledTf');
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
      await tf.ready();
      return tf;
    },
  };
}

async function loadNative(pkg: string, backend: string): Promise<Tf> {
  // A require with a computed name: bundlers leave the optional native package to run time.
  const load = createRequire(import.meta.url);
  let tf: Tf;
  try {
    tf = load(pkg) as Tf;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'MODULE_NOT_FOUND' ? `${pkg} is not installed` : `${pkg} failed to load: ${String(error)}`,
    );
  }
  if (!(await tf.setBackend(backend)))
    throw new Error(`${pkg} is installed but its backend did not initialise`);
  await tf.ready();
  return tf;
}
