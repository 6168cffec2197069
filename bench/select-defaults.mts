// Chooses defaults on VALIDATION data (carved from each task's training file), never the test split:
// runs the demo stream with each variant of one option over several seeds and prints mean ± std of
// L2R-wavg CIL/TIL on the validation split.
// Usage: node --import tsx bench/select-defaults.mts [seeds=1,2,3]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStreamFile } from '../src/language/index.ts';
import { defaultLoaders, mean, runExperiment, selectBackend, std } from '../src/engine/index.ts';
import type { ExperimentSpec } from '../src/protocol/spec.ts';

const root = join(import.meta.dirname, '..');
const seeds = (process.argv[2] ?? '1,2,3').split(',').map(Number);
const { spec } = await loadStreamFile(join(root, 'examples', 'mtl5-offline.l2r'));
if (spec === undefined) throw new Error('demo stream does not validate');
const { tf } = await selectBackend(
  'wasm',
  defaultLoaders({ wasmDir: join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') }),
);

const variants: Record<string, (s: ExperimentSpec) => ExperimentSpec> = {
  'tune_heads = true': (s) => ({ ...s, router: { ...s.router, tuneHeads: true } }),
  'tune_heads = false': (s) => ({ ...s, router: { ...s.router, tuneHeads: false } }),
};
for (const [name, variant] of Object.entries(variants)) {
  const cil: number[] = [];
  const til: number[] = [];
  for (const seed of seeds) {
    const outcome = await runExperiment(variant({ ...spec, seeds: [seed] }), {
      runDir: mkdtempSync(join(tmpdir(), 'l2r-select-')),
      tf,
      backend: 'wasm',
      resume: false,
      gloveFile: join(root, 'media', 'glove100.bin'),
      shouldStop: () => false,
      onEvent: () => undefined,
      evaluateOn: 'validation',
    });
    if (outcome.kind !== 'completed') throw new Error('cancelled');
    const row = (setting: string) =>
      outcome.metrics.rows.find((r) => r.method === 'l2r-wavg' && r.setting === setting)?.accuracy ?? NaN;
    cil.push(row('cil'));
    til.push(row('til'));
  }
  console.log(
    `${name.padEnd(22)} validation CIL ${mean(cil).toFixed(1)} ± ${std(cil).toFixed(1)}   TIL ${mean(til).toFixed(1)} ± ${std(til).toFixed(1)}   (seeds ${seeds.join(',')})`,
  );
}
