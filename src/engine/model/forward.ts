import type { RouterActivation } from '../../protocol/spec';
import type { Tensor, Tensor2D, Tf } from '../tf';
import type { FrozenBackbone, LayerState } from './backbone';
import { linearOps } from './linear';
import type { Adapter, RouterLayer, TaskModule } from './params';

/** Applies a function of [n, dim] rows to every vector of h ([batch, dim] or [batch, tokens, dim]). */
function perVector(tf: Tf, h: Tensor, f: (x: Tensor2D) => Tensor2D): Tensor {
  if (h.rank === 2) return f(h as Tensor2D);
  const [batch = 0, tokens = 0, dim = 0] = h.shape;
  return tf.reshape(f(tf.reshape(h, [batch * tokens, dim])), [batch, tokens, dim]);
}

/** The residual part of an adapter: relu(h D + bd) U + bu, for every vector of h. */
export function adapterDelta(tf: Tf, h: Tensor, a: Adapter): Tensor {
  const { matMul } = linearOps(tf);
  return perVector(
    tf,
    h,
    (x) =>
      tf.add(matMul(tf.relu(tf.add(matMul(x, a.down), a.downBias)) as Tensor2D, a.up), a.upBias) as Tensor2D,
  );
}

function withAdapter(tf: Tf, state: LayerState, delta: Tensor): LayerState {
  return { ...state, h: tf.add(state.h, delta) };
}

/** One task's own path: every layer followed by that task's adapter only (earlier adapters off). Returns the pooled output. */
export function forwardSingle(tf: Tf, input: LayerState, backbone: FrozenBackbone, m: TaskModule): Tensor2D {
  let state = input;
  for (let l = 0; l < backbone.layers; l++) {
    state = backbone.layer(tf, state, l);
    const a = m.adapters[l];
    if (a !== undefined) state = withAdapter(tf, state, adapterDelta(tf, state.h, a));
  }
  return backbone.pool(tf, state);
}

/** A classification head's weights: a task module's own, or a saved copy of them. */
export interface Head {
  readonly headW: Tensor;
  readonly headB: Tensor;
}

export function headLogits(tf: Tf, h: Tensor2D, m: Head): Tensor2D {
  return tf.add(linearOps(tf).matMul(h, m.headW), m.headB) as Tensor2D;
}

/** Logits over the union of all heads' classes, heads in stream order: the CIL prediction space. */
export function unionLogits(tf: Tf, h: Tensor2D, modules: readonly TaskModule[]): Tensor2D {
  return tf.concat(
    modules.map((m) => headLogits(tf, h, m)),
    1,
  );
}

export type Composition = 'wavg' | 'merge';

export interface RoutingOptions {
  readonly activation: RouterActivation;
  readonly temperature: number;
  /** True while training: the relaxation (temperature, Gumbel noise) applies only then. */
  readonly training: boolean;
  /** Per layer [batch x adapters] logistic noise (difference of two Gumbels); Gumbel-sigmoid training only. */
  readonly noise?: readonly Tensor2D[];
}

/** Router scores for a layer's pooled input: Gumbel-sigmoid / softmax relaxation in training, plain at inference. */
export function routerScores(
  tf: Tf,
  pooled: Tensor2D,
  r: RouterLayer,
  options: RoutingOptions,
  l: number,
): Tensor2D {
  let logits = tf.add(linearOps(tf).matMul(pooled, r.w), r.b) as Tensor2D;
  if (options.training) {
    const noise = options.noise?.[l];
    if (noise !== undefined) logits = tf.add(logits, noise) as Tensor2D;
    logits = tf.div(logits, options.temperature) as Tensor2D;
  }
  return options.activation === 'softmax' ? tf.softmax(logits) : tf.sigmoid(logits);
}

/** Adapter scores for one layer from its pooled input: [batch, adapters], each in [0, 1]. */
export interface Scorer {
  (pooled: Tensor2D, layer: number): Tensor2D;
  /** What it computes, as data, so the engine's kernels can compute the same (kernels/composedNet.ts). */
  readonly source?: ScorerSource;
}

/** A scorer described by its data: trained routers at inference, or given weights for every layer. */
export type ScorerSource =
  | {
      readonly kind: 'router';
      readonly router: readonly RouterLayer[];
      readonly activation: RouterActivation;
    }
  | { readonly kind: 'fixed'; readonly weights: Float32Array };

/** Scores from trained per-layer routers (L2R). */
export function routerScorer(tf: Tf, router: readonly RouterLayer[], options: RoutingOptions): Scorer {
  const scorer = (pooled: Tensor2D, l: number): Tensor2D => {
    const r = router[l];
    if (r === undefined) throw new Error(`no router for layer ${l}`);
    return routerScores(tf, pooled, r, options, l);
  };
  // Inference only: training adds noise and a temperature the description leaves out.
  return options.training
    ? scorer
    : Object.assign(scorer, { source: { kind: 'router' as const, router, activation: options.activation } });
}

/**
 * The same per-example scores at every layer (similarity-based baselines); `values` are the same
 * weights as plain numbers, when the caller has them, for the kernels.
 */
export function fixedScorer(weights: Tensor2D, values?: Float32Array): Scorer {
  const scorer = (): Tensor2D => weights;
  return values === undefined
    ? scorer
    : Object.assign(scorer, { source: { kind: 'fixed' as const, weights: values } });
}

/**
 * The composed forward pass: at each layer the scorer rates the adapters from the layer's pooled
 * input, and the adapters are combined by those scores (normalised to sum to one per example):
 * - wavg: h + sum_i w_i delta_i(h)   (a weighted average of the adapters' outputs)
 * - merge: h + delta(h; sum_i w_i theta_i)   (one adapter whose parameters are the weighted average)
 * Returns the pooled final representation and the raw scores per layer.
 */
export function forwardScored(
  tf: Tf,
  input: LayerState,
  backbone: FrozenBackbone,
  modules: readonly TaskModule[],
  scorer: Scorer,
  composition: Composition,
  /** The adapters packed per layer (packAdapters): wavg then runs as two products per layer. */
  packed?: readonly (PackedLayer | undefined)[],
): { h: Tensor2D; scores: Tensor2D[] } {
  let state = input;
  const scores: Tensor2D[] = [];
  for (let l = 0; l < backbone.layers; l++) {
    state = backbone.layer(tf, state, l);
    const s = scorer(backbone.pool(tf, state), l);
    scores.push(s);
    // Normalise to an average; max() (not + eps) keeps it exact when every score is small.
    const w = tf.div(s, tf.maximum(tf.sum(s, 1, true), 1e-12)) as Tensor2D;
    const adapters = modules.map((m) => m.adapters[l]).filter((a): a is Adapter => a !== undefined);
    const pack = packed?.[l];
    state = withAdapter(
      tf,
      state,
      composition === 'merge'
        ? mergedDelta(tf, state.h, w, adapters)
        : pack !== undefined && pack.count === adapters.length
          ? packedWeightedDeltas(tf, state.h, w, pack)
          : weightedDeltas(tf, state.h, w, adapters),
    );
  }
  return { h: backbone.pool(tf, state), scores };
}

/** L2R's composed forward pass with trained routers. */
export function forwardComposed(
  tf: Tf,
  input: LayerState,
  backbone: FrozenBackbone,
  modules: readonly TaskModule[],
  router: readonly RouterLayer[],
  composition: Composition,
  options: RoutingOptions,
  packed?: readonly (PackedLayer | undefined)[],
): { h: Tensor2D; scores: Tensor2D[] } {
  return forwardScored(tf, input, backbone, modules, routerScorer(tf, router, options), composition, packed);
}

/**
 * One layer's adapters side by side, frozen: downs [dim, A·k], ups [A·k, dim] (with their transposes,
 * for gradients without transposed products), biases [A·k] and [A, dim].
 */
export interface PackedLayer {
  readonly count: number;
  readonly bottleneck: number;
  readonly down: Tensor2D;
  readonly downT: Tensor2D;
  readonly downBias: Tensor;
  readonly up: Tensor2D;
  readonly upT: Tensor2D;
  readonly upBias: Tensor2D;
  readonly upBiasT: Tensor2D;
}

/**
 * Packs every layer's adapters for the fused weighted average. The adapters are frozen while they are
 * composed (router training, evaluation), so the packs are made once and reused for every batch; the
 * caller frees them with disposePacked. Undefined for a layer without adapters.
 */
export function packAdapters(
  tf: Tf,
  modules: readonly TaskModule[],
  layers: number,
): (PackedLayer | undefined)[] {
  return Array.from({ length: layers }, (_, l) => {
    const adapters = modules.map((m) => m.adapters[l]).filter((a): a is Adapter => a !== undefined);
    const first = adapters[0];
    if (first === undefined) return undefined;
    return tf.tidy(() => {
      const down = tf.concat(
        adapters.map((a) => a.down),
        1,
      ) as Tensor2D;
      const up = tf.concat(
        adapters.map((a) => a.up),
        0,
      ) as Tensor2D;
      const upBias = tf.stack(adapters.map((a) => a.upBias)) as Tensor2D;
      return {
        count: adapters.length,
        bottleneck: first.down.shape[1] ?? 0,
        down,
        downT: tf.transpose(down),
        downBias: tf.concat(adapters.map((a) => a.downBias)),
        up,
        upT: tf.transpose(up),
        upBias,
        upBiasT: tf.transpose(upBias),
      };
    });
  });
}

export function disposePacked(tf: Tf, packed: readonly (PackedLayer | undefined)[]): void {
  for (const p of packed)
    if (p !== undefined) tf.dispose([p.down, p.downT, p.downBias, p.up, p.upT, p.upBias, p.upBiasT]);
}

/** The frozen backbone alone (no adapter at all), pooled: what similarity-based routing compares. */
export function forwardFrozen(tf: Tf, input: LayerState, backbone: FrozenBackbone): Tensor2D {
  let state = input;
  for (let l = 0; l < backbone.layers; l++) state = backbone.layer(tf, state, l);
  return backbone.pool(tf, state);
}

/** w [batch, 1] shaped to broadcast over h's vectors. */
function broadcastable(tf: Tf, w: Tensor, h: Tensor): Tensor {
  return h.rank === 3 ? tf.reshape(w, [-1, 1, 1]) : w;
}

function weightedDeltas(tf: Tf, h: Tensor, w: Tensor2D, adapters: readonly Adapter[]): Tensor {
  let sum: Tensor | undefined;
  adapters.forEach((a, i) => {
    const wi = broadcastable(tf, tf.slice(w, [0, i], [-1, 1]), h);
    const term = tf.mul(adapterDelta(tf, h, a), wi);
    sum = sum === undefined ? term : tf.add(sum, term);
  });
  return sum ?? tf.zerosLike(h);
}

/**
 * The same weighted average as weightedDeltas with every adapter at once: Σ_i w_i (relu(h D_i + d_i) U_i
 * + u_i) = (w ⊙ relu(h [D_1 … D_A] + [d_1 … d_A])) [U_1; …; U_A] + w [u_1; …; u_A], where w ⊙ scales
 * adapter i's k columns by w_i. Two products per layer instead of two per adapter: on wasm the cost of
 * a router step is mostly per operation, not per number.
 */
function packedWeightedDeltas(tf: Tf, h: Tensor, w: Tensor2D, p: PackedLayer): Tensor {
  const { frozenMatMul } = linearOps(tf);
  const batch = h.shape[0] ?? 0;
  const tokens = h.rank === 3 ? (h.shape[1] ?? 1) : 1;
  const dim = h.shape[h.rank - 1] ?? 0;
  const width = p.count * p.bottleneck;
  const x = tf.reshape(h, [batch * tokens, dim]) as Tensor2D;
  const z = tf.relu(tf.add(frozenMatMul(x, p.down, p.downT), p.downBias));
  const scaled = tf.mul(
    tf.reshape(z, [batch, tokens, p.count, p.bottleneck]),
    tf.reshape(w, [batch, 1, p.count, 1]),
  );
  const out = frozenMatMul(tf.reshape(scaled, [batch * tokens, width]) as Tensor2D, p.up, p.upT);
  const bias = frozenMatMul(w, p.upBias, p.upBiasT); // [batch, dim]
  return tf.reshape(
    tf.add(tf.reshape(out, [batch, tokens, dim]), tf.reshape(bias, [batch, 1, dim])),
    h.shape,
  );
}

/** Per-example merged adapter: parameters averaged by that example's weights, applied with batched matmuls. */
function mergedDelta(tf: Tf, h: Tensor, w: Tensor2D, adapters: readonly Adapter[]): Tensor {
  const batch = h.shape[0] ?? 0;
  const dim = h.shape[h.rank - 1] ?? 0;
  const k = adapters[0]?.down.shape[1] ?? 0;
  const tokens = h.rank === 3 ? (h.shape[1] ?? 1) : 1;
  const h3 = tf.reshape(h, [batch, tokens, dim]);
  // Reshaping a variable shares its buffer; the wasm backend mis-reads such views here (merge disagreed
  // with the cpu backend), so the flattened weights are copies.
  const downs = tf.stack(adapters.map((a) => tf.reshape(tf.clone(a.down), [-1]))) as Tensor2D; // [A, d*k]
  const ups = tf.stack(adapters.map((a) => tf.reshape(tf.clone(a.up), [-1]))) as Tensor2D; // [A, k*d]
  const downBias = tf.stack(adapters.map((a) => a.downBias)) as Tensor2D; // [A, k]
  const upBias = tf.stack(adapters.map((a) => a.upBias)) as Tensor2D; // [A, d]
  const down = tf.reshape(tf.matMul(w, downs), [batch, dim, k]);
  const up = tf.reshape(tf.matMul(w, ups), [batch, k, dim]);
  // Per-example products as broadcast multiply + sum: the wasm backend's batched matmul gave wrong
  // results (and aborted) for these per-example weight stacks, while elementwise ops are exact.
  const z = tf.relu(
    tf.add(perExampleProduct(tf, h3, down), tf.reshape(tf.matMul(w, downBias), [batch, 1, k])),
  );
  const out = tf.add(perExampleProduct(tf, z, up), tf.reshape(tf.matMul(w, upBias), [batch, 1, dim]));
  return tf.reshape(out, h.shape);
}

/** x [B, T, i] times per-example matrices m [B, i, o] -> [B, T, o]. */
function perExampleProduct(tf: Tf, x: Tensor, m: Tensor): Tensor {
  return tf.sum(tf.mul(tf.expandDims(x, 3), tf.expandDims(m, 1)), 2);
}
