import type { Tensor, Tf, Variable } from '../tf';

/** The values of several tensors, one after another, as one Float32Array (checkpoints, thread messages). */
export async function concatValues(tensors: readonly Tensor[]): Promise<Float32Array> {
  const total = tensors.reduce((sum, t) => sum + t.size, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const t of tensors) {
    out.set((await t.data()) as Float32Array, offset);
    offset += t.size;
  }
  return out;
}

/** Assigns consecutive values to the variables (the inverse of concatValues); the sizes must match. */
export function assignValues(tf: Tf, vars: readonly Variable[], values: Float32Array): void {
  const total = vars.reduce((sum, v) => sum + v.size, 0);
  if (total !== values.length) throw new Error(`expected ${total} values, got ${values.length}`);
  let offset = 0;
  for (const v of vars) {
    const t = tf.tensor(values.subarray(offset, offset + v.size), v.shape);
    v.assign(t);
    t.dispose();
    offset += v.size;
  }
}
