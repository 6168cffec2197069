import type { RouterSpec } from '../../protocol/spec';
import type { ComposedOptions } from '../eval/evaluate';
import type { Head } from '../model/forward';
import type { TaskModule } from '../model/params';
import type { Tf } from '../tf';
import { disposeHeads, headsFromSnapshots } from '../model/heads';

/**
 * How routed predictions follow the router spec (TIL heads and routing, the CIL task prior), with the
 * tensors that needs; `dispose` frees them.
 */
export function routedOptions(
  tf: Tf,
  router: RouterSpec,
  modules: readonly TaskModule[],
  isolatedHeads: readonly Float32Array[][],
): { options: Omit<ComposedOptions, 'cilTask'>; dispose(): void } {
  const heads = tilHeadsFor(tf, router, modules, isolatedHeads);
  return {
    options: { til: { heads, routing: router.tilRouting }, taskPrior: router.taskPrior },
    dispose: () => disposeHeads(tf, heads),
  };
}

/**
 * The heads TIL predicts with. Tuning the heads on the memory calibrates them against each other for
 * CIL, but a task's head trained in isolation on all of that task's data is the better one when the
 * task is known (TIL). Undefined when the modules' own heads are to be used: the heads were not tuned,
 * or `til_heads = tuned`. The caller disposes the returned tensors (`disposeHeads`).
 */
function tilHeadsFor(
  tf: Tf,
  router: RouterSpec,
  modules: readonly TaskModule[],
  isolatedHeads: readonly Float32Array[][],
): Head[] | undefined {
  if (!router.tuneHeads || router.tilHeads !== 'isolated') return undefined;
  return headsFromSnapshots(tf, modules, isolatedHeads);
}
