import { join } from 'node:path';
import type { ExperimentSpec, TaskSpec } from '../../src/protocol/spec';

export const repoRoot = join(import.meta.dirname, '..', '..');
const data = join(repoRoot, 'examples', 'data', 'mtl5');

export function demoTask(name: string, maxTrain?: number, maxTest?: number): TaskSpec {
  return {
    name,
    data: {
      train: join(data, `${name}.train.jsonl`),
      test: join(data, `${name}.test.jsonl`),
      format: 'jsonl',
      textField: 'text',
      labelField: 'label',
      splitKey: 'doc',
      maxTrain,
      maxTest,
    },
  };
}

/** A small, fast spec over the demo data, with overrides. */
export function tinySpec(overrides: Partial<ExperimentSpec> = {}): ExperimentSpec {
  const tasks = overrides.tasks ?? [demoTask('spam', 120, 40), demoTask('udhr', 120, 40)];
  return {
    specVersion: 1,
    name: 'tiny',
    sourceFile: join(repoRoot, 'examples', 'tiny.l2r'),
    tasks,
    orders: [{ name: 'main', tasks: tasks.map((t) => t.name) }],
    seeds: [1],
    backbone: { type: 'glove100', layers: 2, dim: 32, charNgrams: true },
    adapter: { bottleneck: 8, epochs: 1, lr: 3e-3, batchSize: 32 },
    memory: { size: { kind: 'percent', value: 10 }, strategy: 'random' },
    router: {
      activation: 'gumbel-sigmoid',
      temperature: 1,
      epochs: 2,
      minSteps: 0,
      taskSupervision: 0,
      lr: 1e-2,
      batchSize: 16,
      schedule: 'after-stream',
      tuneHeads: true,
      tilHeads: 'isolated',
      tilRouting: 'routed',
      taskPrior: 0,
      headAnchor: 0,
      featureReplay: 20,
      replayCovariance: 'diagonal',
      statisticsPrior: 0,
      statisticsPriorLevel: 'class',
    },
    compose: ['wavg', 'merge'],
    settings: ['cil', 'til'],
    baselines: [],
    baselineOptions: {
      epi: { covariance: 'shared' },
      lda: { shrinkage: 0.1 },
      klda: { features: 64, bandwidth: 1, ensemble: 1 },
    },
    output: join(repoRoot, '.l2r', 'runs'),
    backend: 'wasm',
    preset: 'default',
    ...overrides,
  };
}
