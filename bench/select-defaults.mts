// Chooses defaults on VALIDATION data (carved from each task's training file), never the test split:
// runs the demo stream with each variant of one option over several seeds and prints mean ± std of
// L2R-wavg CIL/TIL on the validation split.
// Usage: node --import tsx bench/select-defaults.mts [option (see `options` below)] [seeds=1,2,3]
import { join } from 'node:path';
import { loadStreamFile } from '../src/language/index.ts';
import { mean, std } from '../src/engine/index.ts';
import type { ExperimentSpec } from '../src/protocol/spec.ts';
import { runHeadless } from './headless.mts';

const root = join(import.meta.dirname, '..');
const option = process.argv[2] ?? 'tune-heads';
const seeds = (process.argv[3] ?? '1,2,3').split(',').map(Number);
const { spec } = await loadStreamFile(join(root, 'examples', 'mtl5-offline.l2r'));
if (spec === undefined) throw new Error('demo stream does not validate');

type Variant = (s: ExperimentSpec) => ExperimentSpec;
const router =
  (change: Partial<ExperimentSpec['router']>): Variant =>
  (s) => ({ ...s, router: { ...s.router, ...change } });
const memory10 =
  (change: Partial<ExperimentSpec['router']>): Variant =>
  (s) =>
    router(change)({ ...s, memory: { ...s.memory, size: { kind: 'percent', value: 10 } } });
const options: Record<string, Record<string, Variant>> = {
  'tune-heads': {
    'tune_heads = true': router({ tuneHeads: true }),
    'tune_heads = false': router({ tuneHeads: false }),
  },
  // The router's optimiser steps: the paper's 10 epochs are only ~60 steps on a 2% memory.
  'router-budget': {
    'min_steps = 0': router({ minSteps: 0 }),
    'min_steps = 250': router({ minSteps: 250 }),
    'min_steps = 500': router({ minSteps: 500 }),
    'min_steps = 500, lr = 3e-3': router({ minSteps: 500, lr: 3e-3 }),
    'min_steps = 250, lr = 1e-2': router({ minSteps: 250, lr: 1e-2 }),
  },
  // Teaching the routers which adapter belongs to each memory example.
  'task-supervision': {
    'task_supervision = 0': router({ taskSupervision: 0 }),
    'task_supervision = 0.3': router({ taskSupervision: 0.3 }),
    'task_supervision = 1': router({ taskSupervision: 1 }),
    'task_supervision = 1, min_steps = 250': router({ taskSupervision: 1, minSteps: 250 }),
  },
  // Which heads TIL predicts with once the heads are tuned on the memory for CIL.
  'til-heads': {
    'til_heads = tuned': router({ tilHeads: 'tuned' }),
    'til_heads = isolated': router({ tilHeads: 'isolated' }),
  },
  // Which adapters TIL composes, knowing the task (with the isolated heads chosen above).
  'til-routing': {
    'til_routing = routed': router({ tilRouting: 'routed' }),
    'til_routing = task_plus_routed': router({ tilRouting: 'task_plus_routed' }),
    'til_routing = task': router({ tilRouting: 'task' }),
  },
  // The routers' task evidence added to the CIL logits.
  'task-prior': {
    'task_prior = 0': router({ taskPrior: 0 }),
    'task_prior = 0.3': router({ taskPrior: 0.3 }),
    'task_prior = 1': router({ taskPrior: 1 }),
    'task_prior = 3': router({ taskPrior: 3 }),
  },
  // Tuned heads pulled toward their isolated weights (L2).
  'head-anchor': {
    'head_anchor = 0.01': router({ headAnchor: 0.01 }),
    'head_anchor = 0.1': router({ headAnchor: 0.1 }),
    'head_anchor = 1': router({ headAnchor: 1 }),
  },
  'head-anchor-wider': {
    'head_anchor = 0.3': router({ headAnchor: 0.3 }),
    'head_anchor = 3': router({ headAnchor: 3 }),
    'head_anchor = 10': router({ headAnchor: 10 }),
  },
  // The anchor with a 10% memory (5x the demo's): is a fixed weight too strong there?
  'head-anchor-memory-10': {
    'memory 10%, head_anchor = 0': memory10({ headAnchor: 0 }),
    'memory 10%, head_anchor = 0.06': memory10({ headAnchor: 0.06 }),
    'memory 10%, head_anchor = 0.3': memory10({ headAnchor: 0.3 }),
  },
  // Pseudo-examples from each task's class statistics added to the memory for router training.
  'feature-replay': {
    'feature_replay = 200': router({ featureReplay: 200 }),
    'feature_replay = 500': router({ featureReplay: 500 }),
    'feature_replay = 500, full': router({ featureReplay: 500, replayCovariance: 'full' }),
    'feature_replay = 500, head_anchor = 0': router({ featureReplay: 500, headAnchor: 0 }),
  },
  'feature-replay-budget': {
    'feature_replay = 0': router({ featureReplay: 0 }),
    'feature_replay = 500, full, epochs = 3': router({
      featureReplay: 500,
      replayCovariance: 'full',
      epochs: 3,
    }),
    'feature_replay = 1000, full, epochs = 3': router({
      featureReplay: 1000,
      replayCovariance: 'full',
      epochs: 3,
    }),
    'feature_replay = 1000, full': router({ featureReplay: 1000, replayCovariance: 'full' }),
  },
  'feature-replay-batch': {
    'feature_replay = 500, full, batch = 128': router({
      featureReplay: 500,
      replayCovariance: 'full',
      batchSize: 128,
    }),
    'feature_replay = 500, full, batch = 128, lr = 3e-3': router({
      featureReplay: 500,
      replayCovariance: 'full',
      batchSize: 128,
      lr: 3e-3,
    }),
    'feature_replay = 1000, full, batch = 128': router({
      featureReplay: 1000,
      replayCovariance: 'full',
      batchSize: 128,
    }),
  },
  'feature-replay-3': {
    'feature_replay = 500, full, batch = 128, lr = 3e-3': router({
      featureReplay: 500,
      replayCovariance: 'full',
      batchSize: 128,
      lr: 3e-3,
    }),
    'feature_replay = 500, diagonal, batch = 128, lr = 3e-3': router({
      featureReplay: 500,
      replayCovariance: 'diagonal',
      batchSize: 128,
      lr: 3e-3,
    }),
    'feature_replay = 1000, full, batch = 128, lr = 3e-3': router({
      featureReplay: 1000,
      replayCovariance: 'full',
      batchSize: 128,
      lr: 3e-3,
    }),
    'feature_replay = 500, full': router({ featureReplay: 500, replayCovariance: 'full' }),
  },
  'feature-replay-4': {
    'feature_replay = 1000, diagonal, batch = 128, lr = 3e-3': router({
      featureReplay: 1000,
      replayCovariance: 'diagonal',
      batchSize: 128,
      lr: 3e-3,
    }),
    'feature_replay = 2000, full, batch = 128, lr = 3e-3': router({
      featureReplay: 2000,
      replayCovariance: 'full',
      batchSize: 128,
      lr: 3e-3,
    }),
  },
  // With feature replay on (the defaults), the levers chosen before it again.
  'with-replay-anchor': {
    'head_anchor = 0.3 (the defaults)': (s) => s,
    'head_anchor = 0.03': router({ headAnchor: 0.03 }),
  },
  'with-replay': {
    'head_anchor = 0.3 (the defaults)': (s) => s,
    'head_anchor = 0': router({ headAnchor: 0 }),
    'head_anchor = 0.03': router({ headAnchor: 0.03 }),
    'head_anchor = 0.1': router({ headAnchor: 0.1 }),
    'epochs = 20': router({ epochs: 20 }),
    'task_supervision = 0.3': router({ taskSupervision: 0.3 }),
  },
  // Feature replay within the time goal (the whole stream at most twice the paper recipe's time).
  'replay-time': {
    'the paper recipe (for its time)': (s) => ({
      ...router({
        tuneHeads: false,
        minSteps: 0,
        taskSupervision: 0,
        tilHeads: 'tuned',
        tilRouting: 'routed',
        featureReplay: 0,
        batchSize: 32,
        lr: 1e-3,
      })(s),
      memory: { ...s.memory, strategy: 'random' },
    }),
    'feature_replay = 300, batch = 64, lr = 2e-3': router({ featureReplay: 300, batchSize: 64, lr: 2e-3 }),
    'feature_replay = 500, batch = 64, lr = 2e-3': router({ featureReplay: 500, batchSize: 64, lr: 2e-3 }),
    'feature_replay = 1000, epochs = 3 (7 at min_steps)': router({ epochs: 3 }),
    'feature_replay = 300': router({ featureReplay: 300 }),
  },
  // Everything that helped, together.
  all: {
    'balanced, min_steps = 250, task_supervision = 1': (s) =>
      router({ minSteps: 250, taskSupervision: 1 })({ ...s, memory: { ...s.memory, strategy: 'balanced' } }),
    'balanced, min_steps = 250, task_supervision = 0.3': (s) =>
      router({ minSteps: 250, taskSupervision: 0.3 })({
        ...s,
        memory: { ...s.memory, strategy: 'balanced' },
      }),
    'balanced, min_steps = 500, task_supervision = 1': (s) =>
      router({ minSteps: 500, taskSupervision: 1 })({ ...s, memory: { ...s.memory, strategy: 'balanced' } }),
  },
  // The two that helped, together.
  combined: {
    'strategy = balanced, min_steps = 250': (s) =>
      router({ minSteps: 250 })({ ...s, memory: { ...s.memory, strategy: 'balanced' } }),
    'strategy = balanced, min_steps = 120': (s) =>
      router({ minSteps: 120 })({ ...s, memory: { ...s.memory, strategy: 'balanced' } }),
  },
  // What the memory keeps and how hard the relaxation is.
  'memory-and-temperature': {
    'strategy = random': (s) => s,
    'strategy = balanced': (s) => ({ ...s, memory: { ...s.memory, strategy: 'balanced' } }),
    'temperature = 0.5': router({ temperature: 0.5 }),
    'temperature = 2': router({ temperature: 2 }),
  },
};
const variants = options[option];
if (variants === undefined)
  throw new Error(`unknown option ${option}; one of ${Object.keys(options).join(', ')}`);
for (const [name, variant] of Object.entries(variants)) {
  const cil: number[] = [];
  const til: number[] = [];
  const oracle: number[] = [];
  const started = performance.now();
  for (const seed of seeds) {
    const metrics = await runHeadless(variant({ ...spec, seeds: [seed] }), 'validation');
    const row = (setting: string, method = 'l2r-wavg') =>
      metrics.rows.find((r) => r.method === method && r.setting === setting)?.accuracy ?? NaN;
    cil.push(row('cil'));
    til.push(row('til'));
    oracle.push(row('til', 'oracle'));
  }
  console.log(
    `${name.padEnd(32)} validation CIL ${mean(cil).toFixed(1)} ± ${std(cil).toFixed(1)}   TIL ${mean(til).toFixed(1)} ± ${std(til).toFixed(1)}   oracle TIL ${mean(oracle).toFixed(1)}   (seeds ${seeds.join(',')}, ${((performance.now() - started) / 1000 / seeds.length).toFixed(1)} s per run)`,
  );
}
