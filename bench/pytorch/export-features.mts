// Writes what the PyTorch reference needs to train exactly our model on exactly our inputs: each
// task's cached stem features (train and test, seed 1), labels and class names, the frozen layers'
// weights, and the stream's hyper-parameters. Both sides then start from the same numbers, so the
// benchmark compares training and inference, not tokenisers.
// Usage: node --import tsx bench/pytorch/export-features.mts OUT_DIR [stream.l2r]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStreamFile } from '../../src/language/index.ts';
import { loadTask } from '../../src/engine/data/loadTask.ts';
import { createFeaturizer } from '../../src/engine/features/featurize.ts';
import { orthonormalProjection } from '../../src/engine/features/stem.ts';
import { applyStemWithKernels } from '../../src/engine/kernels/stem.ts';
import { createRandom, normalMatrix } from '../../src/engine/random.ts';

const root = join(import.meta.dirname, '..', '..');
const out = process.argv[2];
if (out === undefined) throw new Error('usage: export-features.mts OUT_DIR [stream.l2r]');
const streamFile = process.argv[3] ?? join(root, 'examples', 'mtl5-offline.l2r');
const { spec } = await loadStreamFile(streamFile);
if (spec === undefined) throw new Error(`${streamFile} does not validate`);
const backbone = spec.backbone;
if (backbone.type === 'bert') throw new Error('the reference covers the vector backbones only');
const seed = 1;
mkdirSync(out, { recursive: true });
const featurizer = await createFeaturizer(backbone, join(root, 'media', 'glove100.bin'));
const projection = orthonormalProjection(featurizer.inputDim, backbone.dim, createRandom(seed, 7));
const stem = (texts: readonly string[]): Float32Array =>
  applyStemWithKernels(
    featurizer.featurize(texts),
    texts.length,
    featurizer.inputDim,
    projection,
    backbone.dim,
  );
const write = (name: string, data: Float32Array | Int32Array): string => {
  writeFileSync(join(out, name), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return name;
};
// The frozen layers exactly as createVectorBackbone draws them (the same random stream, in order).
const layerRandom = createRandom(seed, 8);
const frozen = Array.from({ length: backbone.layers }, (_, l) =>
  write(`frozen${l}.f32`, normalMatrix(backbone.dim, backbone.dim, 1 / Math.sqrt(backbone.dim), layerRandom)),
);
const tasks = [];
for (const [taskKey, task] of spec.tasks.entries()) {
  const data = await loadTask(task, taskKey, seed);
  tasks.push({
    name: task.name,
    classes: data.classes,
    train: {
      x: write(`${task.name}.train.f32`, stem(data.train.texts)),
      y: write(`${task.name}.train.i32`, data.train.labels),
      n: data.train.labels.length,
    },
    test: {
      x: write(`${task.name}.test.f32`, stem(data.test.texts)),
      y: write(`${task.name}.test.i32`, data.test.labels),
      n: data.test.labels.length,
    },
  });
}
const memory = spec.memory.size;
writeFileSync(
  join(out, 'manifest.json'),
  JSON.stringify(
    {
      dim: backbone.dim,
      layers: backbone.layers,
      frozen,
      order: spec.orders[0]?.tasks ?? spec.tasks.map((t) => t.name),
      tasks,
      adapter: spec.adapter,
      memory,
      memoryStrategy: spec.memory.strategy,
      router: spec.router,
    },
    null,
    1,
  ),
);
console.log(`exported ${tasks.length} tasks to ${out}`);
