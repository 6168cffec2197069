// Our side of the transformer benchmark: a random-weight 4-layer BERT (d=256, 4 heads, FFN 1024,
// sequences of 64 WordPiece tokens) as the frozen backbone, adapters after each layer, a stream of
// two tasks (Brown genres, WordNet supersenses) through the whole pipeline: isolated adapters,
// memory, routers, wavg inference in CIL and TIL. Writes the resolved stream to WORK_DIR/manifest.json
// (the PyTorch reference, `l2r_reference.py --transformer`, trains the same recipe from it) and prints the
// run's throughputs, wall clock and peak memory as one JSON line.
// Usage: node --import tsx bench/pytorch/transformer.mts WORK_DIR
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStreamFile } from '../../src/language/index.ts';
import { writeTinyBert } from '../../test/engine/bertFixture.ts';

export const TRANSFORMER = { hidden: 256, heads: 4, layers: 4, intermediate: 1024, seq: 64, bottleneck: 64 };
const TASKS = [
  { name: 'brown', classes: 15 },
  { name: 'wordnet', classes: 14 },
];
const TRAIN = 192;
const TEST = 96;
const root = join(import.meta.dirname, '..', '..');
const work = process.argv[2];
if (work === undefined) throw new Error('usage: transformer.mts WORK_DIR');
const checkpoint = join(work, 'bert');
writeTinyBert(checkpoint, {
  hidden: TRANSFORMER.hidden,
  heads: TRANSFORMER.heads,
  layers: TRANSFORMER.layers,
  intermediate: TRANSFORMER.intermediate,
  maxPositions: TRANSFORMER.seq,
});
const data = join(root, 'examples', 'data', 'mtl5');
const task = (name: string): string => `
task ${name} {
  data = "${join(data, `${name}.train.jsonl`)}"
  test = "${join(data, `${name}.test.jsonl`)}"
  split_key = "doc"
  max_train = ${TRAIN}
  max_test = ${TEST}
}
`;
const stream = `stream transformer_bench {
  order main = [${TASKS.map((t) => t.name).join(', ')}]
  seeds = [1]
  compose = [wavg]
  backbone {
    type = bert
    path = "${checkpoint}"
    max_length = ${TRANSFORMER.seq}
  }
  adapter {
    bottleneck = ${TRANSFORMER.bottleneck}
    epochs = 1
    lr = 1e-3
    batch = 32
  }
  memory {
    size = 25%
  }
  router {
    epochs = 2
    min_steps = 0
  }
}
${TASKS.map((t) => task(t.name)).join('')}`;
const file = join(work, 'transformer.l2r');
writeFileSync(file, stream);
const { spec } = await loadStreamFile(file);
if (spec === undefined) throw new Error('the transformer stream does not validate');
writeFileSync(
  join(work, 'manifest.json'),
  JSON.stringify({
    ...TRANSFORMER,
    tasks: TASKS.map((t) => ({ ...t, train: TRAIN, test: TEST })),
    adapter: spec.adapter,
    memory: spec.memory.size,
    memoryStrategy: spec.memory.strategy,
    router: spec.router,
    compose: spec.compose,
  }),
);
const out = join(work, 'runs');
const started = performance.now();
const r = spawnSync(
  process.execPath,
  [join(root, 'dist', 'cli.js'), 'run', file, '--out', out, '--backend', 'wasm'],
  { encoding: 'utf8' },
);
const seconds = (performance.now() - started) / 1000;
if (r.status !== 0) throw new Error(`the transformer run failed:\n${r.stdout}\n${r.stderr}`);
const metrics = JSON.parse(readFileSync(join(out, readdirSync(out)[0] ?? '', 'metrics.json'), 'utf8')) as {
  speed: {
    adapterTraining: number;
    adapterPhase?: number;
    routerTraining: number;
    routerPhase?: number;
    inference: number;
  };
  peakRssMb: number;
};
console.log(
  JSON.stringify({
    // Examples per wall-clock second of the adapter phase, every thread together (as PyTorch's is).
    adapterTraining: metrics.speed.adapterPhase ?? metrics.speed.adapterTraining,
    // Likewise the router phase's wall clock, set-up included (the reference times its whole loop).
    routerTraining: metrics.speed.routerPhase ?? metrics.speed.routerTraining,
    inference: metrics.speed.inference,
    seconds,
    peakRssMb: metrics.peakRssMb,
  }),
);
