// Ablation rows for docs/RESULTS.md: L2R-wavg on the TEST splits of the full demo stream (seeds 1-3,
// orders main and reversed), from the paper's recipe to the current defaults, one ingredient at a
// time. The defaults themselves were chosen on validation data (bench/select-defaults.mts); this
// only reports what each bought, once.
// Usage: node --import tsx bench/ablation.mts [steps: the first, 1-based (default 1), or a list "1,9,10"]
import { join } from 'node:path';
import { loadStreamFile } from '../src/language/index.ts';
import { mean, std } from '../src/engine/index.ts';
import type { ExperimentSpec } from '../src/protocol/spec.ts';
import { runHeadless } from './headless.mts';

const root = join(import.meta.dirname, '..');
const { spec: full } = await loadStreamFile(join(root, 'examples', 'mtl5-offline-full.l2r'));
if (full === undefined) throw new Error('the full demo stream does not validate');
const base: ExperimentSpec = { ...full, baselines: [], memory: { ...full.memory, sweep: undefined } };

type Step = [string, (s: ExperimentSpec) => ExperimentSpec];
const router =
  (change: Partial<ExperimentSpec['router']>) =>
  (s: ExperimentSpec): ExperimentSpec => ({ ...s, router: { ...s.router, ...change } });
const paper = (s: ExperimentSpec): ExperimentSpec =>
  router({
    tuneHeads: false,
    minSteps: 0,
    taskSupervision: 0,
    tilHeads: 'tuned',
    tilRouting: 'routed',
    headAnchor: 0,
    featureReplay: 0,
    batchSize: 32,
    lr: 1e-3,
  })({
    ...s,
    memory: { ...s.memory, strategy: 'random' },
  });
// The router as it was before feature replay (and the larger, faster router batches it came with).
const beforeReplay: Partial<ExperimentSpec['router']> = { featureReplay: 0, batchSize: 32, lr: 1e-3 };
const steps: Step[] = [
  ['the paper’s router recipe (random memory, heads frozen, exactly 10 epochs; same backbone)', paper],
  ['+ heads tuned on the memory (`tune_heads = true`)', (s) => router({ tuneHeads: true })(paper(s))],
  [
    '+ class-balanced memory (`strategy = balanced`)',
    (s) => ({ ...router({ tuneHeads: true })(paper(s)), memory: { ...s.memory, strategy: 'balanced' } }),
  ],
  [
    '+ at least 250 router steps (`min_steps = 250`)',
    (s) => ({
      ...router({ tuneHeads: true, minSteps: 250 })(paper(s)),
      memory: { ...s.memory, strategy: 'balanced' },
    }),
  ],
  [
    '+ task supervision of the routers (`task_supervision = 1`)',
    (s) => ({
      ...router({ tuneHeads: true, minSteps: 250, taskSupervision: 1 })(paper(s)),
      memory: { ...s.memory, strategy: 'balanced' },
    }),
  ],
  [
    '+ TIL predicts with the heads as trained in isolation (`til_heads = isolated`)',
    (s) => ({
      ...router({ tuneHeads: true, minSteps: 250, taskSupervision: 1, tilHeads: 'isolated' })(paper(s)),
      memory: { ...s.memory, strategy: 'balanced' },
    }),
  ],
  [
    '+ TIL composes the known task’s own adapter (`til_routing = task`)',
    router({ ...beforeReplay, headAnchor: 0 }),
  ],
  [
    '+ the routers’ task evidence in CIL (`task_prior = 1`; not a default: no gain on validation)',
    router({ ...beforeReplay, headAnchor: 0, taskPrior: 1 }),
  ],
  [
    'row 7 + tuned heads pulled toward their isolated weights (`head_anchor = 0.3`; no `task_prior`)',
    router({ ...beforeReplay, headAnchor: 0.3 }),
  ],
  [
    '+ feature replay from class statistics (`feature_replay = 1000`, `replay_covariance = full`; router `batch = 128`, `lr = 3e-3`)',
    router({ headAnchor: 0.3, featureReplay: 1000, batchSize: 128, lr: 3e-3 }),
  ],
  [
    '− the pull toward the isolated heads (`head_anchor = 0`; not a default: 2.4x the paper recipe’s time)',
    router({ featureReplay: 1000, batchSize: 128, lr: 3e-3 }),
  ],
  [
    'the same with `feature_replay = 300`, router `batch = 64`, `lr = 2e-3` (within twice the paper recipe’s time): the defaults',
    (s) => s,
  ],
  [
    'the defaults with the paper’s routed TIL (`til_routing = routed`, `til_heads = tuned`; CIL is unchanged by these)',
    router({ tilRouting: 'routed', tilHeads: 'tuned' }),
  ],
  [
    'the defaults with a diagonal replay covariance (`replay_covariance = diagonal`: 256 numbers instead of 65,536)',
    router({ replayCovariance: 'diagonal' }),
  ],
];
const chosen = process.argv[2] ?? '1';
const selected = chosen.includes(',')
  ? chosen.split(',').map((n) => steps[Number(n) - 1] ?? missing(n))
  : steps.slice(Number(chosen) - 1);
function missing(n: string): never {
  throw new Error(`no ablation step ${n}; steps are 1-${steps.length}`);
}
console.log('| recipe | CIL % | TIL % | seconds per run |');
console.log('|---|---:|---:|---:|');
for (const [name, variant] of selected) {
  const started = performance.now();
  // One thread, as the earlier rows were timed (docs/RESULTS.md); the numbers do not depend on it.
  const metrics = await runHeadless(variant(base), 'test', 1);
  const runs = base.seeds.length * base.orders.length;
  const of = (setting: string): number[] =>
    metrics.rows
      .filter((r) => r.method === 'l2r-wavg' && r.setting === setting && r.memory === undefined)
      .map((r) => r.accuracy);
  const cil = of('cil');
  const til = of('til');
  console.log(
    `| ${name} | ${mean(cil).toFixed(1)} ± ${std(cil).toFixed(1)} | ${mean(til).toFixed(1)} ± ${std(til).toFixed(1)} | ${((performance.now() - started) / 1000 / runs).toFixed(1)} |`,
  );
}
