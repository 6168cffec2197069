import type { Phase, RunCoordinates } from '../../protocol/events';
import type { AccuracyMatrix, ResultRow } from '../../protocol/runFolder';
import type { BaselineOptions, ExperimentSpec, RouterSpec } from '../../protocol/spec';
import { classOffsets, predictComposed, predictOracle } from '../eval/evaluate';
import type { RoutedPredictions } from '../eval/evaluate';
import { accuracy, macroF1, mean, transferMetrics } from '../eval/metrics';
import { perTaskAccuracy, resultRows, testSets } from '../eval/rows';
import type { ScoredSet } from '../eval/rows';
import { cosineWeights, fitTaskGaussians, nearestTaskMahalanobis, taskKey } from '../eval/similarity';
import type { FrozenBackbone } from '../model/backbone';
import { fixedScorer, routerScorer } from '../model/forward';
import type { Composition } from '../model/forward';
import {
  adapterVariables,
  createRouter,
  createTaskModule,
  headVariables,
  routerVariables,
} from '../model/params';
import type { RouterLayer, TaskModule } from '../model/params';
import { createRandom } from '../random';
import { memoryBudget, selectMemory } from '../memory';
import type { Tf, Variable } from '../tf';
import type { TrainHooks } from '../train/hooks';
import { trainAdapter } from '../train/trainAdapter';
import { routerSchedule, trainRouter } from '../train/trainRouter';
import type { MemoryBatchSource } from '../train/trainRouter';
import { orderOffsets, routerRows } from './memoryRows';
import type { ReplaySource } from './memoryRows';
import type { PreparedTask } from './prepared';
import { routedOptions } from './tilHeads';
import { statisticsPriors } from './statisticsPrior';
import { discriminantScores, fitDiscriminant } from '../statistical/discriminant';
import { frozenSets } from '../statistical/frozenSets';
import type { FrozenSets } from '../statistical/frozenSets';
import { predictionsFromScores, taskOfClass } from '../statistical/predictions';
import { statisticalBaselines } from '../statistical/statisticalBaselines';

/** Cosine temperature of the MoCL- and DAM-like task matching (sharp enough to pick a task when it is clear). */
export const SIMILARITY_TEMPERATURE = 0.1;

export interface BaselineContext {
  readonly tf: Tf;
  readonly spec: ExperimentSpec;
  readonly tasks: ReadonlyMap<string, PreparedTask>;
  readonly frozen: FrozenBackbone;
  readonly width: number;
  readonly dim: number;
  readonly order: readonly string[];
  /** The isolated adapters and heads of L2R, in stream order. */
  readonly modules: readonly TaskModule[];
  /** The heads as they were right after isolated training (before any tuning on the memory). */
  readonly isolatedHeads: readonly Float32Array[][];
  readonly coords: RunCoordinates;
  readonly prefix: string;
  readonly orderKey: number;
  /** What the final L2R router trained on: the memory, then any feature-replay rows. */
  readonly routerRows: MemoryBatchSource;
  /** Feature replay of the final router, for routers trained on other memories (the memory sweep). */
  readonly replay: ReplaySource;
  readonly hooks: (phase: Phase, method: string, task: string | undefined, speed: number[]) => TrainHooks;
  readonly runUnit: UnitRunner;
  readonly emitPhase: (phase: Phase, method: string, task?: string, taskIndex?: number) => void;
  readonly speed: { adapter: number[]; router: number[]; inference: number[] };
  /** Adapters train on the WebAssembly kernels (kernels/select.ts). */
  readonly kernels: boolean;
  /**
   * The oracle's predictions per test set when the evaluation already made them (its TIL pass with
   * the task's own adapter and isolated head): the oracle then costs no second pass.
   */
  readonly oraclePredictions?: readonly Int32Array[];
}

/**
 * Runs one checkpointed unit of training (see runExperiment): restores it when complete, otherwise
 * calls `train` with the hooks that resume from and write epoch checkpoints, then records it.
 */
export type UnitRunner = (
  unit: string,
  vars: Variable[],
  epochs: number,
  train: (hooks: Required<Pick<TrainHooks, 'resume' | 'checkpoint'>>) => Promise<void>,
) => Promise<void>;

export interface BaselineResults {
  readonly rows: ResultRow[];
  readonly matrices: AccuracyMatrix[];
}

export async function snapshot(vars: readonly Variable[]): Promise<Float32Array[]> {
  return Promise.all(vars.map(async (v) => Float32Array.from(await v.data())));
}

export function restore(tf: Tf, vars: readonly Variable[], values: readonly Float32Array[]): void {
  vars.forEach((v, i) => {
    const t = tf.tensor(values[i] ?? new Float32Array(v.size), v.shape);
    v.assign(t);
    t.dispose();
  });
}

/**
 * Every method that runs beside L2R on the same seed, order and data: the oracle always (it is each
 * task's single-task accuracy), and those the spec asks for.
 */
export async function runBaselines(ctx: BaselineContext): Promise<BaselineResults> {
  const { tf, spec, modules } = ctx;
  const heads = modules.map(headVariables);
  const tuned = await Promise.all(heads.map(snapshot));
  const offsets = classOffsets(modules);
  const sets = testSets(ctx.tasks, ctx.order, ctx.width);
  const rows: ResultRow[] = [];
  const matrices: AccuracyMatrix[] = [];
  const wants = (b: string): boolean => (spec.baselines as readonly string[]).includes(b);
  try {
    heads.forEach((h, t) => restore(tf, h, ctx.isolatedHeads[t] ?? []));
    ctx.emitPhase('baseline', 'oracle');
    const oracle =
      ctx.oraclePredictions ??
      (await Promise.all(sets.map((set) => predictOracle(tf, modules, ctx.frozen, set, ctx.kernels))));
    const perTask: Record<string, number> = {};
    sets.forEach(
      (set, t) => (perTask[ctx.order[t] ?? ''] = accuracy(oracle[t] ?? new Int32Array(), set.labels)),
    );
    rows.push({
      ...ctx.coords,
      method: 'oracle',
      setting: 'til',
      accuracy: mean(Object.values(perTask)),
      macroF1: mean(sets.map((s, t) => macroF1(oracle[t] ?? new Int32Array(), s.labels, s.classes))),
      perTask,
    });
    if (FROZEN_METHODS.some(wants)) {
      ctx.emitPhase('baseline', 'similarity');
      const features = await frozenSets(tf, ctx.frozen, ctx.tasks, ctx.order, ctx.width, sets);
      rows.push(...(await similarityBaselines(ctx, offsets, sets, features)));
      rows.push(
        ...statisticalBaselines(
          {
            where: where(ctx),
            baselines: spec.baselines,
            options: baselineOptionsOf(spec),
            random: (member) => createRandom(ctx.coords.seed, ctx.orderKey, member, 30),
          },
          offsets,
          sets,
          features,
        ),
      );
    }
    if (wants('softmax')) rows.push(...(await softmaxRouter(ctx, offsets, sets)));
    if (wants('lower')) {
      const lower = await lowerBound(ctx, sets);
      rows.push(...lower.rows);
      matrices.push(...lower.matrices);
    }
    if (wants('upper')) rows.push(...(await upperBound(ctx, sets)));
    if (spec.memory.sweep !== undefined && spec.memory.sweep.length > 0) {
      for (const percent of spec.memory.sweep) {
        heads.forEach((h, t) => restore(tf, h, ctx.isolatedHeads[t] ?? []));
        rows.push(...(await memorySweepPoint(ctx, offsets, sets, percent)));
      }
    }
  } finally {
    heads.forEach((h, t) => restore(tf, h, tuned[t] ?? []));
  }
  return { rows, matrices };
}

/** Where result rows of this seed and order belong. */
function where(ctx: BaselineContext): {
  order: readonly string[];
  coords: RunCoordinates;
  settings: ExperimentSpec['settings'];
} {
  return { order: ctx.order, coords: ctx.coords, settings: ctx.spec.settings };
}

/** The baselines that decide with the frozen representation (no adapters in the decision). */
const FROZEN_METHODS = ['epi', 'mocl', 'dam', 'lda', 'klda', 'ncm'];

/**
 * The EPI-like baseline's shrinkage of a covariance toward its scaled identity: 10% of the mean variance
 * added (so a task with fewer examples than dimensions still inverts); as a convex weight, 0.1 / 1.1.
 */
const EPI_SHRINKAGE = 0.1 / 1.1;

/**
 * The spec's baseline settings. A spec.json written before they existed (a run resumed from then)
 * has none: its EPI-like baseline was the per-task one, and it could not ask for lda or klda.
 */
function baselineOptionsOf(spec: ExperimentSpec): BaselineOptions {
  const written = (spec as Partial<ExperimentSpec>).baselineOptions;
  return (
    written ?? {
      epi: { covariance: 'per_task' },
      lda: { shrinkage: EPI_SHRINKAGE },
      klda: { features: 1024, bandwidth: 1, ensemble: 1 },
    }
  );
}

/** EPI-, MoCL- and DAM-like routing: no memory; the frozen representation decides. */
async function similarityBaselines(
  ctx: BaselineContext,
  offsets: readonly number[],
  sets: readonly ScoredSet[],
  features: FrozenSets,
): Promise<ResultRow[]> {
  const { tf, frozen, dim, modules } = ctx;
  const trainFeatures = features.train;
  const testFeatures = features.test;
  const rows: ResultRow[] = [];
  const adapters = modules.length;
  const fixed = (weights: Float32Array) => (start: number, count: number) => {
    const values = weights.subarray(start * adapters, (start + count) * adapters);
    return fixedScorer(tf.tensor2d(values, [count, adapters]), values);
  };
  const wants = (b: string): boolean => (ctx.spec.baselines as readonly string[]).includes(b);
  if (wants('epi')) {
    const shared = baselineOptionsOf(ctx.spec).epi.covariance === 'shared';
    const gaussians = shared ? [] : features.statistics.map(fitTaskGaussians);
    const discriminant = shared ? fitDiscriminant(features.statistics, EPI_SHRINKAGE) : undefined;
    const predictions = await Promise.all(
      sets.map(async (set, t) => {
        const n = set.labels.length;
        const x = testFeatures[t] ?? new Float32Array();
        // Shared: the task owning the nearest class mean in the one shared metric (LDA's class, its task).
        const picked =
          discriminant !== undefined
            ? taskOfClass(
                predictionsFromScores(discriminantScores(discriminant, x, n), n, offsets, t).cil,
                offsets,
              )
            : nearestTaskMahalanobis(x, n, dim, gaussians);
        const oneHot = new Float32Array(n * adapters);
        picked.forEach((p, i) => (oneHot[i * adapters + p] = 1));
        // TIL knows the task, so EPI's task identification has nothing to do there: the task's own adapter.
        return predictComposed(tf, modules, frozen, fixed(oneHot), 'wavg', set, {
          cilTask: picked,
          til: { routing: 'task' },
          kernels: ctx.kernels,
        });
      }),
    );
    rows.push(...resultRows(where(ctx), 'epi', offsets, sets, predictions));
  }
  const keys = trainFeatures.map((f) => taskKey(f.features, f.labels.length, dim));
  for (const [method, composition] of [
    ['mocl', 'wavg'],
    ['dam', 'merge'],
  ] as const) {
    if (!wants(method)) continue;
    const predictions = await Promise.all(
      sets.map((set, t) => {
        const weights = cosineWeights(
          testFeatures[t] ?? new Float32Array(),
          set.labels.length,
          dim,
          keys,
          SIMILARITY_TEMPERATURE,
        );
        return predictComposed(tf, modules, frozen, fixed(weights), composition, set, {
          kernels: ctx.kernels,
        });
      }),
    );
    rows.push(...resultRows(where(ctx), method, offsets, sets, predictions));
  }
  return rows;
}

/**
 * Trains a fresh router (from random stream `stream`, epochs from `stream + 1`) on a memory as one
 * checkpointed unit named after `method`, tuning the heads too when the spec says so. The caller
 * disposes the router's variables.
 */
async function fitRouter(
  ctx: BaselineContext,
  unit: string,
  method: string,
  memory: MemoryBatchSource,
  routerSpec: RouterSpec,
  stream: number,
): Promise<RouterLayer[]> {
  const { tf, modules } = ctx;
  const router = createRouter(
    tf,
    ctx.frozen.layers,
    ctx.dim,
    modules.length,
    createRandom(ctx.coords.seed, ctx.orderKey, 0, stream),
  );
  const vars = [...routerVariables(router), ...(routerSpec.tuneHeads ? modules.flatMap(headVariables) : [])];
  try {
    ctx.emitPhase('router', method);
    await ctx.runUnit(
      `${ctx.prefix}-${unit}`,
      vars,
      routerSchedule(memory.unionLabels.length, routerSpec).epochs,
      (unitHooks) =>
        trainRouter(
          tf,
          modules,
          ctx.frozen,
          router,
          memory,
          routerSpec,
          (epoch) => createRandom(ctx.coords.seed, ctx.orderKey, 0, stream + 1, epoch),
          { ...ctx.hooks('router', method, undefined, ctx.speed.router), ...unitHooks },
          ctx.isolatedHeads,
          { kernels: ctx.kernels },
        ),
    );
    return router;
  } catch (error) {
    tf.dispose(routerVariables(router));
    throw error;
  }
}

/** L2R with a softmax router instead of the Gumbel-sigmoid, from the same isolated heads and memory. */
async function softmaxRouter(
  ctx: BaselineContext,
  offsets: readonly number[],
  sets: readonly ScoredSet[],
): Promise<ResultRow[]> {
  const { tf, spec, modules } = ctx;
  const routerSpec = { ...spec.router, activation: 'softmax' as const };
  const router = await fitRouter(ctx, 'softmax-router', 'softmax', ctx.routerRows, routerSpec, 6);
  const routed = routedOptions(tf, routerSpec, modules, ctx.isolatedHeads);
  const priors = statisticsPriors(spec, ctx, ctx.order, sets);
  try {
    const rows: ResultRow[] = [];
    for (const composition of spec.compose) {
      const scorer = routerScorer(tf, router, { activation: 'softmax', temperature: 1, training: false });
      const predictions = await Promise.all(
        sets.map((set, t) =>
          predictComposed(tf, modules, ctx.frozen, () => scorer, composition as Composition, set, {
            ...routed.options,
            ...(priors !== undefined ? { cilPrior: priors[t] } : {}),
            kernels: ctx.kernels,
          }),
        ),
      );
      rows.push(...resultRows(where(ctx), `softmax-${composition}`, offsets, sets, predictions));
    }
    return rows;
  } finally {
    tf.dispose(routerVariables(router));
    routed.dispose();
  }
}

/**
 * Lower bound: one adapter set shared by all tasks and fine-tuned on each task in turn (each task
 * still gets its own head), with no memory: it forgets. Evaluated after every task, so its accuracy
 * matrix gives forgetting and backward transfer.
 */
async function lowerBound(ctx: BaselineContext, sets: readonly ScoredSet[]): Promise<BaselineResults> {
  const { tf, spec, order } = ctx;
  const first = ctx.modules[0];
  if (first === undefined) return { rows: [], matrices: [] };
  const shared = createTaskModule(
    tf,
    'shared',
    first.classes,
    ctx.frozen.layers,
    ctx.dim,
    spec.adapter.bottleneck,
    createRandom(ctx.coords.seed, ctx.orderKey, 0, 8),
  );
  const modules: TaskModule[] = [];
  const r: { cil: number[]; til: number[] }[] = [];
  let last: RoutedPredictions[] = [];
  try {
    for (let t = 0; t < order.length; t++) {
      const name = order[t] ?? '';
      const task = ctx.tasks.get(name);
      if (task === undefined) throw new Error(`unknown task ${name}`);
      const own = createTaskModule(
        tf,
        name,
        task.data.classes,
        ctx.frozen.layers,
        ctx.dim,
        spec.adapter.bottleneck,
        createRandom(ctx.coords.seed, ctx.orderKey, t, 9),
      );
      tf.dispose(adapterVariables(own));
      const module: TaskModule = { ...own, adapters: shared.adapters };
      modules.push(module);
      const vars = [...adapterVariables(shared), ...modules.flatMap(headVariables)];
      const unit = `${ctx.prefix}-lower-${name}`;
      ctx.emitPhase('baseline', 'lower', name, t);
      await ctx.runUnit(unit, vars, spec.adapter.epochs, (unitHooks) =>
        trainAdapter(
          tf,
          module,
          ctx.frozen,
          { x: task.train, labels: task.data.train.labels, dim: ctx.width },
          spec.adapter,
          (epoch) => createRandom(ctx.coords.seed, ctx.orderKey, t, 10, epoch),
          { ...ctx.hooks('baseline', 'lower', name, ctx.speed.adapter), ...unitHooks },
          { kernels: ctx.kernels },
        ),
      );
      // All heads read the same shared adapter: uniform weights over identical adapters are that adapter.
      const seen = sets.slice(0, t + 1);
      const uniform = () => (_start: number, count: number) =>
        fixedScorer(tf.ones([count, modules.length]), new Float32Array(count * modules.length).fill(1));
      last = await Promise.all(
        seen.map((set) =>
          predictComposed(tf, modules, ctx.frozen, uniform(), 'wavg', set, { kernels: ctx.kernels }),
        ),
      );
      const seenAccuracy = perTaskAccuracy(order, classOffsets(modules), seen, last);
      r.push({
        cil: order.map((n, j) => (j <= t ? (seenAccuracy.cil[n] ?? 0) : 0)),
        til: order.map((n, j) => (j <= t ? (seenAccuracy.til[n] ?? 0) : 0)),
      });
    }
    const matrices = (['cil', 'til'] as const).map((setting) => ({
      ...ctx.coords,
      method: 'lower',
      setting,
      tasks: order,
      r: r.map((row) => row[setting]),
    }));
    const til = transferMetrics(r.map((row) => row.til));
    const cil = transferMetrics(r.map((row) => row.cil));
    const rows = resultRows(where(ctx), 'lower', classOffsets(modules), sets, last).map((row) => ({
      ...row,
      forgetting: row.setting === 'cil' ? cil.forgetting : til.forgetting,
      bwt: row.setting === 'cil' ? cil.bwt : til.bwt,
    }));
    return { rows, matrices };
  } finally {
    tf.dispose([...adapterVariables(shared), ...headVariables(shared), ...modules.flatMap(headVariables)]);
  }
}

/** Upper bound: one adapter set and one head over all classes, trained jointly on every task's data. */
async function upperBound(ctx: BaselineContext, sets: readonly ScoredSet[]): Promise<ResultRow[]> {
  const { tf, spec, order } = ctx;
  const classes = order.flatMap((name) =>
    (ctx.tasks.get(name)?.data.classes ?? []).map((c) => `${name}:${c}`),
  );
  const joint = createTaskModule(
    tf,
    'joint',
    classes,
    ctx.frozen.layers,
    ctx.dim,
    spec.adapter.bottleneck,
    createRandom(ctx.coords.seed, ctx.orderKey, 0, 11),
  );
  try {
    const offsets = orderOffsets(ctx.tasks, order);
    const parts = order.map((name, t) => {
      const task = ctx.tasks.get(name);
      if (task === undefined) throw new Error(`unknown task ${name}`);
      return { x: task.train, labels: Int32Array.from(task.data.train.labels, (l) => l + (offsets[t] ?? 0)) };
    });
    const x = new Float32Array(parts.reduce((sum, p) => sum + p.x.length, 0));
    let at = 0;
    for (const p of parts) {
      x.set(p.x, at);
      at += p.x.length;
    }
    const labels = Int32Array.from(parts.flatMap((p) => Array.from(p.labels)));
    const vars = [...adapterVariables(joint), ...headVariables(joint)];
    const unit = `${ctx.prefix}-upper`;
    ctx.emitPhase('baseline', 'upper');
    await ctx.runUnit(unit, vars, spec.adapter.epochs, (unitHooks) =>
      trainAdapter(
        tf,
        joint,
        ctx.frozen,
        { x, labels, dim: ctx.width },
        spec.adapter,
        (epoch) => createRandom(ctx.coords.seed, ctx.orderKey, 0, 12, epoch),
        { ...ctx.hooks('baseline', 'upper', undefined, ctx.speed.adapter), ...unitHooks },
        { kernels: ctx.kernels },
      ),
    );
    // One module whose head spans all classes: split it into per-task views for the shared evaluation.
    const views: TaskModule[] = order.map((name, t) => ({
      task: name,
      classes: ctx.tasks.get(name)?.data.classes ?? [],
      adapters: joint.adapters,
      headW: frozenSlice(tf, joint.headW, offsets[t] ?? 0, offsets[t + 1] ?? 0),
      headB: frozenSlice(tf, joint.headB, offsets[t] ?? 0, offsets[t + 1] ?? 0),
    }));
    try {
      // Every view reads the same joint adapter: uniform weights over identical adapters are that adapter.
      const uniform = (_start: number, count: number) =>
        fixedScorer(tf.ones([count, views.length]), new Float32Array(count * views.length).fill(1));
      const predictions = await Promise.all(
        sets.map((set) =>
          predictComposed(tf, views, ctx.frozen, uniform, 'wavg', set, { kernels: ctx.kernels }),
        ),
      );
      return resultRows(where(ctx), 'upper', offsets, sets, predictions);
    } finally {
      tf.dispose(views.flatMap((v) => [v.headW, v.headB]));
    }
  } finally {
    tf.dispose([...adapterVariables(joint), ...headVariables(joint)]);
  }
}

/** Columns [from, to) of a head (the last axis), as a non-trainable variable. */
function frozenSlice(tf: Tf, v: Variable, from: number, to: number): Variable {
  const part = v.rank === 2 ? tf.slice(v, [0, from], [-1, to - from]) : tf.slice(v, [from], [to - from]);
  const out = tf.variable(part, false);
  part.dispose();
  return out;
}

/**
 * One point of the memory sweep: the same isolated adapters and heads, a memory of `percent` of
 * each task's training data (same strategy), a freshly trained router, L2R evaluated again.
 */
async function memorySweepPoint(
  ctx: BaselineContext,
  offsets: readonly number[],
  sets: readonly ScoredSet[],
  percent: number,
): Promise<ResultRow[]> {
  const { tf, spec, modules } = ctx;
  const label = `${percent}%`;
  const entries = ctx.order.flatMap((name, t) => {
    const task = ctx.tasks.get(name);
    if (task === undefined) throw new Error(`unknown task ${name}`);
    const size = { kind: 'percent' as const, value: percent };
    const budget = memoryBudget({ ...spec.memory, size }, task.data.train.labels.length);
    const random = createRandom(ctx.coords.seed, ctx.orderKey, t, 3);
    return selectMemory(task.data.train.labels, budget, spec.memory.strategy, random).map((index) => ({
      task: t,
      index,
    }));
  });
  const memory = routerRows(ctx, ctx.order, entries, ctx.replay);
  const router = await fitRouter(
    ctx,
    `router-memory-${label}`,
    `l2r memory ${label}`,
    memory,
    spec.router,
    13,
  );
  const routed = routedOptions(tf, spec.router, modules, ctx.isolatedHeads);
  const priors = statisticsPriors(spec, ctx, ctx.order, sets);
  try {
    const scorer = routerScorer(tf, router, {
      activation: spec.router.activation,
      temperature: 1,
      training: false,
    });
    const composition = (spec.compose[0] ?? 'wavg') as Composition;
    const predictions = await Promise.all(
      sets.map((set, t) =>
        predictComposed(tf, modules, ctx.frozen, () => scorer, composition, set, {
          ...routed.options,
          ...(priors !== undefined ? { cilPrior: priors[t] } : {}),
          kernels: ctx.kernels,
        }),
      ),
    );
    return resultRows(
      { ...where(ctx), coords: { ...ctx.coords, memory: label } },
      `l2r-${composition}`,
      offsets,
      sets,
      predictions,
    );
  } finally {
    tf.dispose(routerVariables(router));
    routed.dispose();
  }
}
