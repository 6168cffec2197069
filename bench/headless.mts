// Runs an experiment in this process on the wasm backend with the embedded GloVe file, for the
// benchmarks that compare variants of a spec (select-defaults, ablation). Returns its metrics.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLoaders, runExperiment, selectBackend } from '../src/engine/index.ts';
import type { MetricsFile } from '../src/protocol/runFolder.ts';
import type { ExperimentSpec } from '../src/protocol/spec.ts';

const root = join(import.meta.dirname, '..');
const { tf } = await selectBackend(
  'wasm',
  defaultLoaders({ wasmDir: join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') }),
);

export async function runHeadless(
  spec: ExperimentSpec,
  evaluateOn: 'test' | 'validation',
  /** Adapter-training threads (1: this thread only); default: the engine's (cores, at most 4). */
  threads?: number,
): Promise<MetricsFile> {
  const outcome = await runExperiment(spec, {
    runDir: mkdtempSync(join(tmpdir(), 'l2r-bench-')),
    tf,
    backend: 'wasm',
    resume: false,
    gloveFile: join(root, 'media', 'glove100.bin'),
    shouldStop: () => false,
    onEvent: () => undefined,
    evaluateOn,
    adapterThread: {
      script: join(root, 'src', 'engine', 'parallel', 'adapterThread.ts'),
      wasmDir: join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
    },
    threads,
  });
  if (outcome.kind !== 'completed') throw new Error('the run was cancelled');
  return outcome.metrics;
}
