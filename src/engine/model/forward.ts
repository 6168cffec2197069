import type { RouterActivation } from '../../protocol/spec';
import type { Tensor, Tensor2D, Tf } from '../tf';
import { linearOps } from './linear';
import type { Adapter, FrozenLayers, RouterLayer, TaskModule } from './params';

function layerNorm(tf: Tf, h: Tensor2D): Tensor2D {
  const { mean, variance } = tf.moments(h, -1, true);
  return tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))) as Tensor2D;
}

/** Frozen layer l: LN(h + gelu(h W_l)). */
export function frozenLayer(tf: Tf, h: Tensor2D, frozen: FrozenLayers, l: number): Tensor2D {
  const w = frozen.weights[l];
  const wT = frozen.transposed[l];
  if (w === undefined || wT === undefined) throw new Error(`no frozen layer ${l}`);
  const z = linearOps(tf).frozenMatMul(h, w, wT);
  // tanh approximation of GELU: has gradients on every backend.
  const gelu = tf.mul(
    tf.mul(z, 0.5),
    tf.add(1, tf.tanh(tf.mul(tf.add(z, tf.mul(tf.pow(z, 3), 0.044715)), Math.sqrt(2 / Math.PI)))),
  );
  return layerNorm(tf, tf.add(h, gelu) as Tensor2D);
}

/** The residual part of an adapter: relu(h D + bd) U + bu. */
export function adapterDelta(tf: Tf, h: Tensor2D, a: Adapter): Tensor2D {
  const { matMul } = linearOps(tf);
  return tf.add(
    matMul(tf.relu(tf.add(matMul(h, a.down), a.downBias)) as Tensor2D, a.up),
    a.upBias,
  ) as Tensor2D;
}

/** One task's own path: every layer followed by that task's adapter only (earlier adapters off). */
export function forwardSingle(tf: Tf, h0: Tensor2D, frozen: FrozenLayers, m: TaskModule): Tensor2D {
  let h = h0;
  for (let l = 0; l < frozen.weights.length; l++) {
    h = frozenLayer(tf, h, frozen, l);
    const a = m.adapters[l];
    if (a !== undefined) h = tf.add(h, adapterDelta(tf, h, a)) as Tensor2D;
  }
  return h;
}

export function headLogits(tf: Tf, h: Tensor2D, m: TaskModule): Tensor2D {
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

/** Router scores for layer input h: Gumbel-sigmoid / softmax relaxation in training, plain at inference. */
export function routerScores(
  tf: Tf,
  h: Tensor2D,
  r: RouterLayer,
  options: RoutingOptions,
  l: number,
): Tensor2D {
  let logits = tf.add(linearOps(tf).matMul(h, r.w), r.b) as Tensor2D;
  if (options.training) {
    const noise = options.noise?.[l];
    if (noise !== undefined) logits = tf.add(logits, noise) as Tensor2D;
    logits = tf.div(logits, options.temperature) as Tensor2D;
  }
  return options.activation === 'softmax' ? tf.softmax(logits) : tf.sigmoid(logits);
}

/**
 * The composed forward pass: at each layer the router scores the adapters from the layer's input,
 * and the adapters are combined by those scores (normalised to sum to one per example):
 * - wavg: h + sum_i w_i delta_i(h)   (a weighted average of the adapters' outputs)
 * - merge: h + delta(h; sum_i w_i theta_i)   (one adapter whose parameters are the weighted average)
 * Returns the final representation and the raw scores per layer.
 */
export function forwardComposed(
  tf: Tf,
  h0: Tensor2D,
  frozen: FrozenLayers,
  modules: readonly TaskModule[],
  router: readonly RouterLayer[],
  composition: Composition,
  options: RoutingOptions,
): { h: Tensor2D; scores: Tensor2D[] } {
  let h = h0;
  const scores: Tensor2D[] = [];
  for (let l = 0; l < frozen.weights.length; l++) {
    h = frozenLayer(tf, h, frozen, l);
    const r = router[l];
    if (r === undefined) throw new Error(`no router for layer ${l}`);
    const s = routerScores(tf, h, r, options, l);
    scores.push(s);
    const w = tf.div(s, tf.add(tf.sum(s, 1, true), 1e-6)) as Tensor2D;
    const adapters = modules.map((m) => m.adapters[l]).filter((a): a is Adapter => a !== undefined);
    h = tf.add(
      h,
      composition === 'wavg' ? weightedDeltas(tf, h, w, adapters) : mergedDelta(tf, h, w, adapters),
    ) as Tensor2D;
  }
  return { h, scores };
}

function weightedDeltas(tf: Tf, h: Tensor2D, w: Tensor2D, adapters: readonly Adapter[]): Tensor2D {
  let sum: Tensor | undefined;
  adapters.forEach((a, i) => {
    const wi = tf.slice(w, [0, i], [-1, 1]);
    const term = tf.mul(adapterDelta(tf, h, a), wi);
    sum = sum === undefined ? term : tf.add(sum, term);
  });
  return (sum ?? tf.zerosLike(h)) as Tensor2D;
}

/** Per-example merged adapter: parameters averaged by that example's weights, applied with batched matmuls. */
function mergedDelta(tf: Tf, h: Tensor2D, w: Tensor2D, adapters: readonly Adapter[]): Tensor2D {
  const [batch, dim] = h.shape;
  const k = adapters[0]?.down.shape[1] ?? 0;
  const downs = tf.stack(adapters.map((a) => tf.reshape(a.down, [-1]))) as Tensor2D; // [T, d*k]
  const ups = tf.stack(adapters.map((a) => tf.reshape(a.up, [-1]))) as Tensor2D; // [T, k*d]
  const downBias = tf.stack(adapters.map((a) => a.downBias)) as Tensor2D; // [T, k]
  const upBias = tf.stack(adapters.map((a) => a.upBias)) as Tensor2D; // [T, d]
  const down = tf.reshape(tf.matMul(w, downs), [batch, dim, k]);
  const up = tf.reshape(tf.matMul(w, ups), [batch, k, dim]);
  const z = tf.relu(
    tf.add(tf.reshape(tf.matMul(tf.reshape(h, [batch, 1, dim]), down), [batch, k]), tf.matMul(w, downBias)),
  );
  const out = tf.reshape(tf.matMul(tf.reshape(z, [batch, 1, k]), up), [batch, dim]);
  return tf.add(out, tf.matMul(w, upBias)) as Tensor2D;
}
