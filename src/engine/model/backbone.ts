import type { PlainBert } from '../kernels/bertLayers';
import type { Random } from '../random';
import { normalMatrix } from '../random';
import type { Tensor, Tensor2D, Tf } from '../tf';
import { linearOps } from './linear';

/** What flows between layers: one vector per example, or token states with their mask. */
export interface LayerState {
  /** [batch, dim] for pooled backbones, [batch, tokens, dim] for token backbones. */
  readonly h: Tensor;
  /** [batch, tokens], 1 for real tokens and 0 for padding (token backbones only). */
  readonly mask?: Tensor2D;
}

/**
 * A frozen backbone with an adapter slot after each of its layers. The engine caches one row of
 * `inputWidth` numbers per example (everything that can be computed once) and asks the backbone to
 * turn a batch of rows into the state entering layer 0.
 */
export interface FrozenBackbone {
  readonly layers: number;
  readonly dim: number;
  readonly inputWidth: number;
  /**
   * Examples per evaluation batch (default 256). Token backbones keep it small: the wasm heap grows
   * to the largest batch's intermediates (batch x tokens x FFN width per layer) and never shrinks.
   */
  readonly evalBatch?: number;
  input(tf: Tf, rows: Float32Array, count: number): LayerState;
  layer(tf: Tf, state: LayerState, l: number): LayerState;
  /** One vector per example: what routers and heads see. */
  pool(tf: Tf, state: LayerState): Tensor2D;
  /**
   * The default backbone's frozen matrices as plain numbers (each dim x dim, row-major), so the
   * engine's WebAssembly kernels can run its layers without TF.js; absent for other backbones.
   */
  readonly plainLayers?: readonly Float32Array[];
  /** The bert backbone's encoder as plain numbers, for the same kernels; absent for other backbones. */
  readonly plainBert?: PlainBert;
  dispose(): void;
}

export function layerNorm(tf: Tf, h: Tensor, gamma?: Tensor, beta?: Tensor, eps = 1e-5): Tensor {
  const { mean, variance } = tf.moments(h, -1, true);
  const normalised = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, eps)));
  return gamma !== undefined && beta !== undefined ? tf.add(tf.mul(normalised, gamma), beta) : normalised;
}

/**
 * tanh approximation of GELU: has gradients on every backend. z³ as z·z·z: `pow` is the slowest
 * elementwise op on wasm (GELU on 2,048 x 1,024 values: 97 ms with pow, 59 ms without).
 */
export function gelu(tf: Tf, z: Tensor): Tensor {
  const cube = tf.mul(tf.mul(z, z), z);
  return tf.mul(
    tf.mul(z, 0.5),
    tf.add(1, tf.tanh(tf.mul(tf.add(z, tf.mul(cube, 0.044715)), Math.sqrt(2 / Math.PI)))),
  );
}

/**
 * The default backbone above the cached stem features: `layers` frozen layers h <- LN(h + GELU(h W_l))
 * with fixed seeded W_l ~ N(0, 1/dim). They transform the representation, so every layer's router
 * sees a different input (identity layers would give them all the same one).
 */
export function createVectorBackbone(tf: Tf, layers: number, dim: number, random: Random): FrozenBackbone {
  const plainLayers = Array.from({ length: layers }, () =>
    normalMatrix(dim, dim, 1 / Math.sqrt(dim), random),
  );
  const weights = plainLayers.map((w) => tf.tensor2d(w, [dim, dim]));
  const transposed = weights.map((w) => tf.transpose(w));
  return {
    layers,
    dim,
    inputWidth: dim,
    input: (t, rows, count) => ({ h: t.tensor2d(rows, [count, dim]) }),
    layer: (t, state, l) => {
      const w = weights[l];
      const wT = transposed[l];
      if (w === undefined || wT === undefined) throw new Error(`no frozen layer ${l}`);
      const h = state.h as Tensor2D;
      return { h: layerNorm(t, t.add(h, gelu(t, linearOps(t).frozenMatMul(h, w, wT)))) };
    },
    pool: (_t, state) => state.h as Tensor2D,
    plainLayers,
    dispose: () => tf.dispose([...weights, ...transposed]),
  };
}
