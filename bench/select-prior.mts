// Chooses how L2R's CIL uses what the class statistics know, on VALIDATION data only: the demo
// stream's defaults trained once per seed, then every variant of `router.statisticsPrior` evaluated
// on the same trained adapters, routers and heads (the run folder is resumed: every unit is restored,
// only the evaluation runs again; a prior changes nothing that is trained).
// Usage: node --import tsx bench/select-prior.mts [seeds=1,2,3] [stream file]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStreamFile } from '../src/language/index.ts';
import { defaultLoaders, mean, runExperiment, selectBackend, std } from '../src/engine/index.ts';
import type { MetricsFile } from '../src/protocol/runFolder.ts';
import type { ExperimentSpec } from '../src/protocol/spec.ts';

const root = join(import.meta.dirname, '..');
const seeds = (process.argv[2] ?? '1,2,3').split(',').map(Number);
const streamFile = process.argv[3] ?? join(root, 'examples', 'mtl5-offline.l2r');
const { spec } = await loadStreamFile(streamFile);
if (spec === undefined) throw new Error(`${streamFile} does not validate`);
const wasmDir = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
const { tf } = await selectBackend('wasm', defaultLoaders({ wasmDir }));

type Variant = (s: ExperimentSpec) => ExperimentSpec;
const prior =
  (statisticsPrior: number, statisticsPriorLevel: 'class' | 'task'): Variant =>
  (s) => ({ ...s, router: { ...s.router, statisticsPrior, statisticsPriorLevel } });
const epi =
  (covariance: 'shared' | 'per_task'): Variant =>
  (s) => ({ ...s, baselines: ['epi'], baselineOptions: { ...s.baselineOptions, epi: { covariance } } });
const variants: Record<string, Variant> = {
  'the defaults (no prior; trains)': (s) => s,
  'class prior, weight 0.3': prior(0.3, 'class'),
  'class prior, weight 1': prior(1, 'class'),
  'class prior, weight 3': prior(3, 'class'),
  'task prior, weight 1': prior(1, 'task'),
  'task prior, weight 3': prior(3, 'task'),
  // The EPI-like baseline's covariance, on the same adapters (its row, not L2R's, is reported).
  'epi, covariance = per_task': epi('per_task'),
  'epi, covariance = shared': epi('shared'),
};

async function run(s: ExperimentSpec, runDir: string, resume: boolean): Promise<MetricsFile> {
  const outcome = await runExperiment(s, {
    runDir,
    tf,
    backend: 'wasm',
    resume,
    gloveFile: join(root, 'media', 'glove100.bin'),
    shouldStop: () => false,
    onEvent: () => undefined,
    evaluateOn: 'validation',
    adapterThread: { script: join(root, 'src', 'engine', 'parallel', 'adapterThread.ts'), wasmDir },
  });
  if (outcome.kind !== 'completed') throw new Error('the run was cancelled');
  return outcome.metrics;
}

const dirs = new Map(seeds.map((seed) => [seed, mkdtempSync(join(tmpdir(), `l2r-prior-${seed}-`))]));
for (const [name, variant] of Object.entries(variants)) {
  const cil: number[] = [];
  const til: number[] = [];
  const merge: number[] = [];
  const started = performance.now();
  for (const seed of seeds) {
    const first = name.startsWith('the defaults');
    const metrics = await run(variant({ ...spec, seeds: [seed] }), dirs.get(seed) ?? '', !first);
    const row = (method: string, setting: string) =>
      metrics.rows.find((r) => r.method === method && r.setting === setting)?.accuracy ?? NaN;
    const method = name.startsWith('epi') ? 'epi' : 'l2r-wavg';
    cil.push(row(method, 'cil'));
    til.push(row(method, 'til'));
    merge.push(row('l2r-merge', 'cil'));
  }
  console.log(
    `${name.padEnd(34)} validation CIL ${mean(cil).toFixed(1)} ± ${std(cil).toFixed(1)}   TIL ${mean(til).toFixed(1)} ± ${std(til).toFixed(1)}   merge CIL ${mean(merge).toFixed(1)}   (seeds ${seeds.join(',')}, ${((performance.now() - started) / 1000 / seeds.length).toFixed(1)} s per run)`,
  );
}
