// What `statistics_prior` buys on a finished run, with nothing retrained: a copy of the run folder is
// resumed with the prior off (and only L2R and the softmax ablation to evaluate), so every adapter,
// router and tuned head is restored from its checkpoint and only the evaluation runs again.
// Usage: node --import tsx bench/without-prior.mts <run folder of a finished run>
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLoaders, mean, runExperiment, selectBackend, std } from '../src/engine/index.ts';
import type { ExperimentSpec } from '../src/protocol/spec.ts';

const root = join(import.meta.dirname, '..');
const source = process.argv[2];
if (source === undefined) throw new Error('usage: bench/without-prior.mts <run folder>');
const dir = mkdtempSync(join(tmpdir(), 'l2r-without-prior-'));
cpSync(source, dir, { recursive: true });
const spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')) as ExperimentSpec;
const wasmDir = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
const { tf } = await selectBackend('wasm', defaultLoaders({ wasmDir }));
const outcome = await runExperiment(
  {
    ...spec,
    baselines: spec.baselines.includes('softmax') ? ['softmax'] : [],
    memory: { ...spec.memory, sweep: undefined },
    router: { ...spec.router, statisticsPrior: 0 },
  },
  {
    runDir: dir,
    tf,
    backend: 'wasm',
    resume: true,
    gloveFile: join(root, 'media', 'glove100.bin'),
    shouldStop: () => false,
    onEvent: () => undefined,
    adapterThread: { script: join(root, 'src', 'engine', 'parallel', 'adapterThread.ts'), wasmDir },
  },
);
if (outcome.kind !== 'completed') throw new Error('the run was cancelled');
for (const method of ['l2r-wavg', 'l2r-merge', 'softmax-wavg', 'softmax-merge'])
  for (const setting of ['cil', 'til']) {
    const values = outcome.metrics.rows
      .filter((r) => r.method === method && r.setting === setting && r.memory === undefined)
      .map((r) => r.accuracy);
    if (values.length > 0)
      console.log(
        `${method} ${setting} ${mean(values).toFixed(1)} ± ${std(values).toFixed(1)} (${values.length} runs)`,
      );
  }
