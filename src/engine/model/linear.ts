import type { Tensor, Tensor2D, Tf } from '../tf';

/**
 * Matrix products with hand-written gradients that never ask the backend for a transposed
 * matmul: on the wasm backend `matMul(a, b, transposeA|transposeB)` runs 13-37x slower than a
 * plain one, and autodiff of `x W` uses exactly those forms (FACTS.md). The transposes are made
 * explicit (`tf.transpose`, cheap) and the products stay plain.
 */
export interface Linear {
  /** x [n, i] · w [i, o] with gradients for both (w trainable). */
  matMul(this: void, x: Tensor2D, w: Tensor): Tensor2D;
  /** x [n, i] · w [i, o] for a frozen w whose transpose wT is precomputed; gradient for x only. */
  frozenMatMul(this: void, x: Tensor2D, w: Tensor2D, wT: Tensor2D): Tensor2D;
  /**
   * Batched a [..., m, k] · b [..., k, n] (attention's QK^T and scores·V) with gradients for both
   * operands through explicit transposes of the last two axes.
   */
  batchMatMul(this: void, a: Tensor, b: Tensor): Tensor;
}

const cache = new WeakMap<Tf, Linear>();

export function linearOps(tf: Tf): Linear {
  const cached = cache.get(tf);
  if (cached !== undefined) return cached;
  const trainable = tf.customGrad((...args: unknown[]) => {
    const [x, w, save] = args as [Tensor, Tensor, (tensors: Tensor[]) => void];
    save([x, w]);
    return {
      value: tf.matMul(x as Tensor2D, w as Tensor2D),
      gradFunc: (dy, saved) => {
        const [sx, sw] = saved as [Tensor2D, Tensor2D];
        const g = dy as Tensor2D;
        return [tf.matMul(g, tf.transpose(sw)), tf.matMul(tf.transpose(sx), g)];
      },
    };
  });
  const swapLast = (t: Tensor): Tensor => {
    const axes = t.shape.map((_, i) => i);
    const n = axes.length;
    [axes[n - 2], axes[n - 1]] = [axes[n - 1] ?? 0, axes[n - 2] ?? 0];
    return tf.transpose(t, axes);
  };
  const batched = tf.customGrad((...args: unknown[]) => {
    const [a, b, save] = args as [Tensor, Tensor, (tensors: Tensor[]) => void];
    save([a, b]);
    return {
      value: tf.matMul(a as Tensor2D, b as Tensor2D),
      gradFunc: (dy, saved) => {
        const [sa, sb] = saved as [Tensor, Tensor];
        const g = dy as Tensor;
        return [
          tf.matMul(g as Tensor2D, swapLast(sb) as Tensor2D),
          tf.matMul(swapLast(sa) as Tensor2D, g as Tensor2D),
        ];
      },
    };
  });
  const ops: Linear = {
    matMul: (x, w) => trainable(x, w) as Tensor2D,
    batchMatMul: (a, b) => batched(a, b) as Tensor,
    frozenMatMul: (x, w, wT) => {
      const frozen = tf.customGrad((input) => ({
        value: tf.matMul(input as Tensor2D, w),
        gradFunc: (dy) => tf.matMul(dy as Tensor2D, wT),
      }));
      return frozen(x) as Tensor2D;
    },
  };
  cache.set(tf, ops);
  return ops;
}
