import type { Tf, Variable } from '../tf';

/** The variables' values, in order (copies). */
export async function readVariables(vars: readonly Variable[]): Promise<Float32Array[]> {
  return Promise.all(vars.map(async (v) => Float32Array.from(await v.data())));
}

/** Assigns each variable its values (in order): how kernel results reach the TF.js model. */
export function publishToVariables(tf: Tf, vars: readonly Variable[], values: readonly Float32Array[]): void {
  vars.forEach((v, i) => {
    const value = tf.tensor(values[i] ?? new Float32Array(), v.shape);
    v.assign(value);
    value.dispose();
  });
}
