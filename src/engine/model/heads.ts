import type { Head } from './forward';
import type { TaskModule } from './params';
import type { Tf } from '../tf';

/** Tensors of the heads as saved after isolated training, one per module (the caller disposes them). */
export function headsFromSnapshots(
  tf: Tf,
  modules: readonly TaskModule[],
  isolatedHeads: readonly Float32Array[][],
): Head[] {
  return modules.map((m, t) => {
    const [w, b] = isolatedHeads[t] ?? [];
    if (w === undefined || b === undefined) throw new Error(`no isolated head saved for task ${m.task}`);
    return { headW: tf.tensor(w, m.headW.shape), headB: tf.tensor(b, m.headB.shape) };
  });
}

export function disposeHeads(tf: Tf, heads: readonly Head[] | undefined): void {
  if (heads !== undefined) tf.dispose(heads.flatMap((h) => [h.headW, h.headB]));
}
