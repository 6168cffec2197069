import type { RouterLayer, TaskModule } from '../model/params';
import type { Tf, Variable } from '../tf';
import type { PlainTaskModule } from './packedAdapters';

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

async function read(t: { data(): Promise<unknown> }): Promise<Float32Array> {
  return Float32Array.from((await t.data()) as Float32Array);
}

/** The task modules' adapters and heads as plain numbers (copies), for the kernels. */
export async function readPlainModules(modules: readonly TaskModule[]): Promise<PlainTaskModule[]> {
  return Promise.all(
    modules.map(async (m) => ({
      adapters: await Promise.all(
        m.adapters.map(async (a) => ({
          down: await read(a.down),
          downBias: await read(a.downBias),
          up: await read(a.up),
          upBias: await read(a.upBias),
        })),
      ),
      headW: await read(m.headW),
      headB: await read(m.headB),
      classes: m.classes.length,
    })),
  );
}

/** Per-layer routers as plain numbers (copies). */
export async function readPlainRouter(
  router: readonly RouterLayer[],
): Promise<{ readonly w: Float32Array; readonly b: Float32Array }[]> {
  return Promise.all(router.map(async (r) => ({ w: await read(r.w), b: await read(r.b) })));
}
