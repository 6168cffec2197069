// Our side of the transformer benchmark: a random-weight 4-layer BERT (d=256, 4 heads, FFN 1024,
// sequences of 64 WordPiece tokens) as the frozen backbone, adapters after each layer, one task of
// long Brown paragraphs, trained through the CLI. Prints the run's throughputs as one JSON line.
// Usage: node --import tsx bench/pytorch/transformer.mts WORK_DIR
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTinyBert } from '../../test/engine/bertFixture.ts';

export const TRANSFORMER = { hidden: 256, heads: 4, layers: 4, intermediate: 1024, seq: 64, bottleneck: 64 };
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
const stream = `stream transformer_bench {
  order main = [brown]
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
    size = 10%
  }
  router {
    epochs = 2
    min_steps = 0
  }
}

task brown {
  data = "${join(data, 'brown.train.jsonl')}"
  test = "${join(data, 'brown.test.jsonl')}"
  split_key = "doc"
  max_train = 320
  max_test = 160
}
`;
writeFileSync(join(work, 'transformer.l2r'), stream);
const out = join(work, 'runs');
const r = spawnSync(
  process.execPath,
  [join(root, 'dist', 'cli.js'), 'run', join(work, 'transformer.l2r'), '--out', out, '--backend', 'wasm'],
  { encoding: 'utf8' },
);
if (r.status !== 0) throw new Error(`the transformer run failed:\n${r.stdout}\n${r.stderr}`);
const metrics = JSON.parse(readFileSync(join(out, readdirSync(out)[0] ?? '', 'metrics.json'), 'utf8')) as {
  speed: { adapterTraining: number; routerTraining: number; inference: number };
  peakRssMb: number;
};
console.log(JSON.stringify({ ...metrics.speed, peakRssMb: metrics.peakRssMb }));
