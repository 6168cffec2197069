import type { RouterActivation, TilRouting } from '../../protocol/spec';
import type { Composition } from '../model/forward';
import {
  disposePacked,
  forwardFrozen,
  forwardScored,
  packAdapters,
  forwardSingle,
  headLogits,
  routerScorer,
  unionLogits,
} from '../model/forward';
import type { Head, Scorer } from '../model/forward';
import type { FrozenBackbone } from '../model/backbone';
import type { RouterLayer, TaskModule } from '../model/params';
import type { Tensor2D, Tf } from '../tf';
import { gatherRows } from '../train/batches';
import { plainFrozenOf } from '../kernels/composedNet';
import { composedOnKernels, ownPathOnKernels } from './composedOnKernels';
import type { InferenceThread } from './inferenceThread';

/** Test examples of one task, as stem features. */
export interface EvalSet {
  readonly taskIndex: number;
  readonly x: Float32Array;
  readonly dim: number;
  readonly labels: Int32Array;
}

export interface RoutedPredictions {
  /** Per example: predicted index in the union of classes (CIL). */
  readonly cil: Int32Array;
  /** Per example: predicted class within the true task's head (TIL). */
  readonly til: Int32Array;
  /** Per example, layer-major: scores[(e * layers + l) * adapters + a]. */
  readonly scores: Float32Array;
}

/** Examples per evaluation batch unless the backbone asks for fewer (FrozenBackbone.evalBatch). */
const EVAL_BATCH = 256;

/** Runs `compute` over the set in batches; the tensors it returns are read and disposed per batch. */
async function batched(
  tf: Tf,
  batchSize: number,
  set: EvalSet,
  compute: (rows: Float32Array, count: number) => Tensor2D[],
  consume: (start: number, count: number, values: Float32Array[]) => void,
): Promise<void> {
  const n = set.labels.length;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const indices = Int32Array.from({ length: count }, (_, i) => start + i);
    const outputs = tf.tidy(() => compute(gatherRows(set.x, set.dim, indices), count));
    const values = await Promise.all(outputs.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(outputs);
    consume(start, count, values);
  }
}

/**
 * Routed composition: CIL over all heads, TIL within the example's own head (or within `tilHeads`,
 * one per module, when given), and the routing scores.
 */
export async function predictRouted(
  tf: Tf,
  modules: readonly TaskModule[],
  frozen: FrozenBackbone,
  router: readonly RouterLayer[],
  composition: Composition,
  activation: RouterActivation,
  set: EvalSet,
  options: Omit<ComposedOptions, 'cilTask'> = {},
): Promise<RoutedPredictions> {
  return predictComposed(
    tf,
    modules,
    frozen,
    () => routerScorer(tf, router, { activation, temperature: 1, training: false }),
    composition,
    set,
    options,
  );
}

/** How TIL predicts, given that it knows each example's task. */
export interface TilOptions {
  /**
   * Heads for the TIL prediction, one per module (e.g. the heads as trained in isolation, when the
   * modules' own heads were tuned on the memory for CIL). Default: the modules' own heads.
   */
  readonly heads?: readonly Head[];
  /** Which adapters TIL composes (see RouterSpec.tilRouting). Default: `routed`, as CIL. */
  readonly routing?: TilRouting;
}

export interface ComposedOptions {
  /** CIL predicts within this task's head only, per example (methods that first pick a task). */
  readonly cilTask?: Int32Array;
  readonly til?: TilOptions;
  /**
   * Weight λ of the routers' task evidence in CIL: a class of task j scores its logit plus
   * λ · mean over layers of log s_l[j] (0: the logits alone).
   */
  readonly taskPrior?: number;
  /**
   * Added to the CIL logits: per example of the set, a log-prior over the union of classes
   * ([n x classes] row-major), e.g. what the class statistics know (run/statisticsPrior.ts).
   */
  readonly cilPrior?: Float32Array;
  /**
   * Compute on the engine's WebAssembly kernels when the backbone and the scorer allow it (default
   * backbone, scorers with a `source`); see kernels/select.ts.
   */
  readonly kernels?: boolean;
  /** A helper thread for this evaluation's kernel predictions (token backbones); see InferenceThread. */
  readonly thread?: InferenceThread;
}

/** Any composition: `scorerFor(start, count)` gives the scorer of a batch of the set's examples. */
export async function predictComposed(
  tf: Tf,
  modules: readonly TaskModule[],
  frozen: FrozenBackbone,
  scorerFor: (start: number, count: number) => Scorer,
  composition: Composition,
  set: EvalSet,
  { cilTask, til: tilOptions, taskPrior = 0, cilPrior, kernels = false, thread }: ComposedOptions = {},
): Promise<RoutedPredictions> {
  const n = set.labels.length;
  const layers = frozen.layers;
  const adapters = modules.length;
  const offsets = classOffsets(modules);
  const ownModule = modules[set.taskIndex];
  if (ownModule === undefined) throw new Error(`no module for task ${set.taskIndex}`);
  const cil = new Int32Array(n);
  const til = new Int32Array(n);
  const scores = new Float32Array(n * layers * adapters);
  const total = offsets[offsets.length - 1] ?? 0;
  const tilHead = tilOptions?.heads?.[set.taskIndex] ?? ownModule;
  const tilRouting = tilOptions?.routing ?? 'routed';
  // TIL needs a head or a forward pass of its own unless it reads the CIL logits within its task's range.
  const separateTil = tilOptions?.heads !== undefined || tilRouting !== 'routed';
  let batchStart = 0;
  const consume = (
    start: number,
    count: number,
    [logits, s, tilLogits]: (Float32Array | undefined)[],
  ): void => {
    const from = offsets[set.taskIndex] ?? 0;
    const to = offsets[set.taskIndex + 1] ?? total;
    const own = to - from;
    const withTaskPrior =
      taskPrior > 0
        ? addTaskPrior(logits ?? new Float32Array(), s ?? new Float32Array(), {
            count,
            layers,
            offsets,
            weight: taskPrior,
          })
        : logits;
    const cilLogits =
      cilPrior !== undefined && withTaskPrior !== undefined
        ? withTaskPrior.map((v, k) => v + (cilPrior[start * total + k] ?? 0))
        : withTaskPrior;
    for (let i = 0; i < count; i++) {
      const picked = cilTask?.[start + i];
      const cilFrom = picked !== undefined ? (offsets[picked] ?? 0) : 0;
      const cilTo = picked !== undefined ? (offsets[picked + 1] ?? total) : total;
      cil[start + i] = argmaxRange(cilLogits ?? new Float32Array(), i * total, cilFrom, cilTo);
      til[start + i] =
        tilLogits === undefined
          ? argmaxRange(logits ?? new Float32Array(), i * total, from, to) - from
          : argmaxRange(tilLogits, i * own, 0, own);
    }
    scores.set(s ?? new Float32Array(), start * layers * adapters);
    batchStart = start + count;
  };
  const batchSize = frozen.evalBatch ?? EVAL_BATCH;
  const plain = plainFrozenOf(frozen);
  if (kernels && plain !== undefined) {
    const done = await composedOnKernels(
      tf,
      modules,
      plain,
      scorerFor,
      composition,
      set,
      batchSize,
      separateTil ? { routing: tilRouting, head: tilHead } : undefined,
      consume,
      thread,
    );
    if (done) return { cil, til, scores };
  }
  const packed = composition === 'wavg' ? packAdapters(tf, modules, layers) : [];
  try {
    await batched(
      tf,
      batchSize,
      set,
      (rows, count) => {
        const input = frozen.input(tf, rows, count);
        const scorer = scorerFor(batchStart, count);
        const { h, scores: s } = forwardScored(tf, input, frozen, modules, scorer, composition, packed);
        const outputs = [unionLogits(tf, h, modules), tf.stack(s, 1) as Tensor2D];
        if (!separateTil) return outputs;
        const tilH =
          tilRouting === 'task'
            ? forwardSingle(tf, input, frozen, ownModule)
            : tilRouting === 'task_plus_routed'
              ? forwardScored(
                  tf,
                  input,
                  frozen,
                  modules,
                  withTask(tf, scorer, set.taskIndex, adapters),
                  composition,
                  packed,
                ).h
              : h;
        return [...outputs, headLogits(tf, tilH, tilHead)];
      },
      consume,
    );
  } finally {
    disposePacked(tf, packed);
  }
  return { cil, til, scores };
}

/**
 * CIL logits with the routers' task evidence: every class c of task a gains
 * weight · mean over layers of log s_l[a] (scores layer-major per example, as RoutedPredictions).
 */
export function addTaskPrior(
  logits: Float32Array,
  scores: Float32Array,
  shape: { count: number; layers: number; offsets: readonly number[]; weight: number },
): Float32Array {
  const { count, layers, offsets, weight } = shape;
  const adapters = offsets.length - 1;
  const total = offsets[adapters] ?? 0;
  const out = Float32Array.from(logits);
  for (let i = 0; i < count; i++)
    for (let a = 0; a < adapters; a++) {
      let evidence = 0;
      for (let l = 0; l < layers; l++)
        evidence += Math.log(Math.max(scores[(i * layers + l) * adapters + a] ?? 0, 1e-6));
      const bonus = (weight * evidence) / layers;
      for (let c = offsets[a] ?? 0; c < (offsets[a + 1] ?? 0); c++) out[i * total + c]! += bonus;
    }
  return out;
}

/** The scorer with the known task's own adapter always fully on: the router adds the others. */
function withTask(tf: Tf, scorer: Scorer, task: number, adapters: number): Scorer {
  const own = Float32Array.from({ length: adapters }, (_, a) => (a === task ? 1 : 0));
  return (pooled, l) => tf.maximum(scorer(pooled, l), tf.tensor2d(own, [1, adapters]));
}

/** The frozen representation (no adapters) of every example of a set, [n, dim]. */
export async function frozenFeatures(tf: Tf, frozen: FrozenBackbone, set: EvalSet): Promise<Float32Array> {
  const out = new Float32Array(set.labels.length * frozen.dim);
  await batched(
    tf,
    frozen.evalBatch ?? EVAL_BATCH,
    set,
    (rows, count) => [forwardFrozen(tf, frozen.input(tf, rows, count), frozen)],
    (start, _count, [values]) => out.set(values ?? new Float32Array(), start * frozen.dim),
  );
  return out;
}

/** The oracle: the true task's own adapters and head (the TIL ceiling of isolated adapters). */
export async function predictOracle(
  tf: Tf,
  modules: readonly TaskModule[],
  frozen: FrozenBackbone,
  set: EvalSet,
  /** Predict on the engine's WebAssembly kernels when the backbone allows (kernels/select.ts). */
  kernels = false,
): Promise<Int32Array> {
  const own = modules[set.taskIndex];
  if (own === undefined) throw new Error(`no module for task ${set.taskIndex}`);
  const out = new Int32Array(set.labels.length);
  const classes = own.classes.length;
  const consume = (start: number, count: number, logits: Float32Array | undefined): void => {
    for (let i = 0; i < count; i++)
      out[start + i] = argmaxRange(logits ?? new Float32Array(), i * classes, 0, classes);
  };
  const batchSize = frozen.evalBatch ?? EVAL_BATCH;
  const plain = plainFrozenOf(frozen);
  if (kernels && plain !== undefined && (await ownPathOnKernels(modules, plain, set, batchSize, consume)))
    return out;
  await batched(
    tf,
    batchSize,
    set,
    (rows, count) => [headLogits(tf, forwardSingle(tf, frozen.input(tf, rows, count), frozen, own), own)],
    (start, count, [logits]) => consume(start, count, logits),
  );
  return out;
}

/** Start of each task's classes in the union (length tasks + 1). */
export function classOffsets(modules: readonly TaskModule[]): number[] {
  const offsets = [0];
  for (const m of modules) offsets.push((offsets[offsets.length - 1] ?? 0) + m.classes.length);
  return offsets;
}

function argmaxRange(values: Float32Array, rowStart: number, from: number, to: number): number {
  let best = from;
  let bestValue = -Infinity;
  for (let c = from; c < to; c++) {
    const v = values[rowStart + c] ?? -Infinity;
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}
