// Chooses the statistical baselines' defaults (`lda`, `klda`, `ncm`) on VALIDATION data, never the
// test split: the frozen features of every task of the demo stream (one order, as
// bench/select-defaults.mts), each variant's validation CIL/TIL over seeds, and its seconds.
// No adapters are trained: these methods decide on the frozen features alone.
// Usage: node --import tsx bench/select-statistical.mts [grid (see `grids` below)] [seeds=1,2,3] [stream file]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStreamFile } from '../src/language/index.ts';
import { defaultLoaders, mean, selectBackend, std } from '../src/engine/index.ts';
import { createRandom } from '../src/engine/random.ts';
import { EventSink } from '../src/engine/run/events.ts';
import { prepareSeed } from '../src/engine/run/runExperiment.ts';
import { orderOffsets } from '../src/engine/run/memoryRows.ts';
import { testSets } from '../src/engine/eval/rows.ts';
import { kernelsSupported } from '../src/engine/kernels/module.ts';
import { frozenSets } from '../src/engine/statistical/frozenSets.ts';
import { statisticalBaselines } from '../src/engine/statistical/statisticalBaselines.ts';
import type { Baseline, BaselineOptions } from '../src/protocol/spec.ts';

const root = join(import.meta.dirname, '..');
const grid = process.argv[2] ?? 'lda';
const seeds = (process.argv[3] ?? '1,2,3').split(',').map(Number);
const streamFile = process.argv[4] ?? join(root, 'examples', 'mtl5-offline.l2r');
const { spec } = await loadStreamFile(streamFile);
if (spec === undefined) throw new Error(`${streamFile} does not validate`);
const { tf } = await selectBackend(
  'wasm',
  defaultLoaders({ wasmDir: join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') }),
);

type Variant = [Baseline, (o: BaselineOptions) => BaselineOptions];
const lda = (shrinkage: number): Variant => ['lda', (o) => ({ ...o, lda: { shrinkage } })];
const klda = (features: number, bandwidth: number, ensemble = 1): Variant => [
  'klda',
  (o) => ({ ...o, klda: { features, bandwidth, ensemble } }),
];
const grids: Record<string, Record<string, Variant>> = {
  lda: {
    'lda shrinkage = 0': lda(0),
    'lda shrinkage = 0.01': lda(0.01),
    'lda shrinkage = 0.03': lda(0.03),
    'lda shrinkage = 0.1': lda(0.1),
    'lda shrinkage = 0.3': lda(0.3),
    'lda shrinkage = 0.6': lda(0.6),
    ncm: ['ncm', (o) => o],
  },
  'klda-bandwidth': {
    'klda features = 1024, bandwidth = 0.25': klda(1024, 0.25),
    'klda features = 1024, bandwidth = 0.5': klda(1024, 0.5),
    'klda features = 1024, bandwidth = 1': klda(1024, 1),
    'klda features = 1024, bandwidth = 2': klda(1024, 2),
    'klda features = 1024, bandwidth = 4': klda(1024, 4),
  },
  'klda-bandwidth-wider': {
    'klda features = 1024, bandwidth = 3': klda(1024, 3),
    'klda features = 1024, bandwidth = 6': klda(1024, 6),
    'klda features = 1024, bandwidth = 8': klda(1024, 8),
    'klda features = 1024, bandwidth = 16': klda(1024, 16),
  },
  'klda-features': {
    'klda features = 1024, bandwidth = 32': klda(1024, 32),
    'klda features = 512, bandwidth = 16': klda(512, 16),
    'klda features = 2048, bandwidth = 16': klda(2048, 16),
  },
  'klda-large': {
    'klda features = 4096, bandwidth = 16': klda(4096, 16),
  },
  'klda-ensemble': {
    'klda features = 1024, bandwidth = 16, ensemble = 3': klda(1024, 16, 3),
    'klda features = 1024, bandwidth = 16, ensemble = 5': klda(1024, 16, 5),
  },
};
const variants = grids[grid];
if (variants === undefined) throw new Error(`unknown grid ${grid}; one of ${Object.keys(grids).join(', ')}`);

const prepared = [];
for (const seed of seeds) {
  const seedData = await prepareSeed(
    tf,
    spec,
    seed,
    join(root, 'media', 'glove100.bin'),
    new EventSink(mkdtempSync(join(tmpdir(), 'l2r-stat-')), () => undefined),
    'validation',
    kernelsSupported(),
  );
  const order = spec.orders[0]?.tasks ?? [];
  const sets = testSets(seedData.tasks, order, seedData.width);
  const features = await frozenSets(tf, seedData.frozen, seedData.tasks, order, seedData.width, sets);
  const offsets = orderOffsets(seedData.tasks, order);
  prepared.push({ seed, order, sets, features, offsets });
  seedData.frozen.dispose();
}
const defaults = spec.baselineOptions;
for (const [name, [method, change]] of Object.entries(variants)) {
  const cil: number[] = [];
  const til: number[] = [];
  const started = performance.now();
  for (const p of prepared) {
    const rows = statisticalBaselines(
      {
        where: { order: p.order, coords: { seed: p.seed, order: 'main' }, settings: ['cil', 'til'] },
        baselines: [method],
        options: change(defaults),
        random: (member) => createRandom(p.seed, 0, member, 30),
      },
      p.offsets,
      p.sets,
      p.features,
    );
    cil.push(rows.find((r) => r.setting === 'cil')?.accuracy ?? NaN);
    til.push(rows.find((r) => r.setting === 'til')?.accuracy ?? NaN);
  }
  console.log(
    `${name.padEnd(44)} validation CIL ${mean(cil).toFixed(1)} ± ${std(cil).toFixed(1)}   TIL ${mean(til).toFixed(1)} ± ${std(til).toFixed(1)}   (seeds ${seeds.join(',')}, ${((performance.now() - started) / 1000 / prepared.length).toFixed(1)} s per run)`,
  );
}
