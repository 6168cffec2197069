import type { TilRouting } from '../../protocol/spec';
import type { BatchOutputs, PlainFrozen, PlainHead, PlainScorer, PlainTil } from '../kernels/composedNet';
import { ComposedNet } from '../kernels/composedNet';
import { instantiateKernels, KernelHeap, KernelMemoryError } from '../kernels/module';
import { readPlainModules, readPlainRouter } from '../kernels/variables';
import type { Composition, Head, Scorer, ScorerSource } from '../model/forward';
import type { TaskModule } from '../model/params';
import type { Tf } from '../tf';
import { helperBatch } from '../kernels/gradientHelper';
import type { EvalSet } from './evaluate';
import type { ComposedRecipe, InferenceThread } from './inferenceThread';

async function plainScorer(source: ScorerSource): Promise<PlainScorer> {
  if (source.kind === 'fixed') return source;
  return {
    kind: 'router',
    activation: source.activation,
    router: await readPlainRouter(source.router),
  };
}

interface CachedNet {
  readonly backbone: object;
  readonly batch: number;
  /** The data ids of every adapter and head variable when the net was made: any assign changes one. */
  readonly versions: readonly object[];
  /** What the net is built from. */
  readonly recipe: ComposedRecipe;
  /** The same for an inference thread, which predicts at most half of each batch. */
  readonly helperRecipe: ComposedRecipe;
  /** Built on first use (netOf), so a helper thread can build its twin meanwhile. */
  net?: ComposedNet;
}

/**
 * One net per modules array, reused while none of its variables changed: evaluation predicts set
 * after set (and composition after composition) with the same modules, and building a net packs
 * every adapter (and, for bert, transposes the encoder's weights).
 */
const nets = new WeakMap<readonly TaskModule[], CachedNet>();

async function composedNetFor(
  modules: readonly TaskModule[],
  backbone: PlainFrozen,
  width: number,
  batch: number,
): Promise<CachedNet> {
  const key = backbone.kind === 'vector' ? backbone.layers : backbone.bert;
  const versions = modules.flatMap((m) => [
    ...m.adapters.flatMap((a) => [a.down.dataId, a.downBias.dataId, a.up.dataId, a.upBias.dataId]),
    m.headW.dataId,
    m.headB.dataId,
  ]);
  const cached = nets.get(modules);
  if (
    cached?.backbone === key &&
    cached.batch === batch &&
    cached.versions.length === versions.length &&
    cached.versions.every((v, i) => v === versions[i])
  )
    return cached;
  const recipe: ComposedRecipe = {
    kind: 'composed',
    backbone,
    modules: await readPlainModules(modules),
    dim: modules[0]?.adapters[0]?.down.shape[0] ?? width,
    bottleneck: modules[0]?.adapters[0]?.down.shape[1] ?? 0,
    batch,
  };
  const made: CachedNet = {
    backbone: key,
    batch,
    versions,
    recipe,
    helperRecipe: { ...recipe, batch: helperBatch(batch) },
  };
  nets.set(modules, made);
  return made;
}

/** The cached net, built now if it is not yet (KernelMemoryError when it does not fit one instance). */
function netOf(cached: CachedNet): ComposedNet {
  const { recipe } = cached;
  cached.net ??= new ComposedNet(
    new KernelHeap(instantiateKernels()),
    recipe.backbone,
    recipe.modules,
    recipe.dim,
    recipe.bottleneck,
    recipe.batch,
  );
  return cached.net;
}

/** A head's weights as plain numbers. */
async function plainHead(head: Head): Promise<PlainHead> {
  return {
    headW: Float32Array.from(await head.headW.data()),
    headB: Float32Array.from(await head.headB.data()),
  };
}

/** The scorer's source for a batch; the TF.js tensors a scorer factory may allocate are freed. */
function sourceOf(tf: Tf, scorerFor: (start: number, count: number) => Scorer, start: number, count: number) {
  let source: ScorerSource | undefined;
  tf.tidy(() => {
    source = scorerFor(start, count).source;
  });
  return source;
}

/** A scorer for rows [from, to) of a batch (fixed weights are per row; a router's are not). */
function scorerRows(scorer: PlainScorer, tasks: number, from: number, to: number): PlainScorer {
  return scorer.kind === 'fixed'
    ? { kind: 'fixed', weights: scorer.weights.subarray(from * tasks, to * tasks) }
    : scorer;
}

/** Two halves' outputs, in row order. */
function joined(a: BatchOutputs, b: BatchOutputs): BatchOutputs {
  const cat = (x: Float32Array, y: Float32Array): Float32Array => {
    const out = new Float32Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    logits: cat(a.logits, b.logits),
    scores: cat(a.scores, b.scores),
    ...(a.tilLogits !== undefined && b.tilLogits !== undefined
      ? { tilLogits: cat(a.tilLogits, b.tilLogits) }
      : {}),
  };
}

/**
 * predictComposed's forward passes on the kernels: per batch, the union logits, the raw scores
 * (layer-major) and, when TIL needs its own, the TIL logits, handed to `consume` exactly as the
 * TF.js path hands them. Returns false (having consumed nothing) when the scorer has no source.
 * With an inference thread and a token backbone, the thread predicts the second half of each batch
 * while this thread predicts the first.
 */
export async function composedOnKernels(
  tf: Tf,
  modules: readonly TaskModule[],
  backbone: PlainFrozen,
  scorerFor: (start: number, count: number) => Scorer,
  composition: Composition,
  set: EvalSet,
  batchSize: number,
  til: { readonly routing: TilRouting; readonly head: Head } | undefined,
  consume: (start: number, count: number, values: (Float32Array | undefined)[]) => void,
  thread?: InferenceThread,
): Promise<boolean> {
  const n = set.labels.length;
  if (n === 0) return true;
  const first = sourceOf(tf, scorerFor, 0, Math.min(batchSize, n));
  if (first === undefined) return false;
  const cached = await composedNetFor(modules, backbone, set.dim, batchSize);
  // Only a token backbone's examples are worth a second thread (an encoder pass each); it builds its
  // net while this thread builds its own.
  const starting =
    thread !== undefined && backbone.kind === 'bert' && n > 1
      ? thread.helperFor(cached.helperRecipe)
      : undefined;
  let net: ComposedNet;
  try {
    net = netOf(cached);
  } catch (error) {
    // Too large for one kernel instance: nothing was consumed yet, TF.js predicts instead.
    await starting;
    if (error instanceof KernelMemoryError) return false;
    throw error;
  }
  const helper = await starting;
  const plainTil: PlainTil | undefined =
    til === undefined
      ? undefined
      : { routing: til.routing, head: await plainHead(til.head), task: set.taskIndex };
  // A router's source is the same object for every batch: read its weights once.
  const plain = new Map<ScorerSource, PlainScorer>();
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const source = start === 0 ? first : sourceOf(tf, scorerFor, start, count);
    if (source === undefined) throw new Error('a scorer lost its source mid-set');
    let scorer = plain.get(source);
    if (scorer === undefined) {
      scorer = await plainScorer(source);
      if (source.kind === 'router') plain.set(source, scorer);
    }
    const rows = set.x.subarray(start * set.dim, (start + count) * set.dim);
    let out: BatchOutputs;
    if (helper !== undefined && thread !== undefined && count > 1) {
      const split = Math.ceil(count / 2);
      const tasks = modules.length;
      const second = {
        rows: rows.subarray(split * set.dim),
        count: count - split,
        scorer: scorerRows(scorer, tasks, split, count),
      };
      const pending = helper.forward({
        ...second,
        rows: second.rows.slice(),
        composition,
        ...(plainTil !== undefined ? { til: plainTil } : {}),
      });
      // A rejection while this thread computes is handled below, not left unhandled.
      pending.catch(() => undefined);
      const mine = net.predict(
        rows.subarray(0, split * set.dim),
        split,
        scorerRows(scorer, tasks, 0, split),
        composition,
        plainTil,
      );
      let theirs: BatchOutputs;
      try {
        theirs = await pending;
        thread.countShared();
      } catch {
        thread.fail();
        theirs = net.predict(second.rows, second.count, second.scorer, composition, plainTil);
      }
      out = joined(mine, theirs);
    } else out = net.predict(rows, count, scorer, composition, plainTil);
    consume(start, count, [out.logits, out.scores, out.tilLogits]);
  }
  return true;
}

/**
 * The task's own path (its adapters only) and its own head on the kernels, per batch: the oracle's
 * logits, handed to `consume` as predictOracle's TF.js path hands them. Returns false (having
 * consumed nothing) when the net does not fit one kernel instance.
 */
export async function ownPathOnKernels(
  modules: readonly TaskModule[],
  backbone: PlainFrozen,
  set: EvalSet,
  batchSize: number,
  consume: (start: number, count: number, logits: Float32Array) => void,
): Promise<boolean> {
  const n = set.labels.length;
  const own = modules[set.taskIndex];
  if (n === 0 || own === undefined) return n === 0;
  let net: ComposedNet;
  try {
    net = netOf(await composedNetFor(modules, backbone, set.dim, batchSize));
  } catch (error) {
    if (error instanceof KernelMemoryError) return false;
    throw error;
  }
  const head = await plainHead(own);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const rows = set.x.subarray(start * set.dim, (start + count) * set.dim);
    consume(start, count, net.headLogits(net.forwardSingle(rows, count, set.taskIndex), count, head));
  }
  return true;
}
