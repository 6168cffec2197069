import type { MemoryRecord } from '../../protocol/runFolder';
import type { ExperimentSpec } from '../../protocol/spec';
import { predictRouted } from '../eval/evaluate';
import type { InferenceThread } from '../eval/inferenceThread';
import type { FrozenBackbone } from '../model/backbone';
import type { RouterLayer, TaskModule } from '../model/params';
import type { Tf } from '../tf';
import type { MemoryBatchSource } from '../train/trainRouter';

/**
 * Records how the final router scores each memory example (per layer and adapter), so the Memory
 * panel can show why an example is routed where it is. Memory records of this (seed, order) start at
 * `first` and follow `memory` one to one.
 */
export async function attachMemoryScores(
  tf: Tf,
  spec: ExperimentSpec,
  frozen: FrozenBackbone,
  modules: readonly TaskModule[],
  router: readonly RouterLayer[],
  memory: MemoryBatchSource,
  records: MemoryRecord[],
  first: number,
  kernels: boolean,
  thread: InferenceThread | undefined,
): Promise<void> {
  const count = memory.unionLabels.length;
  if (count === 0) return;
  const { scores } = await predictRouted(
    tf,
    modules,
    frozen,
    router,
    'wavg',
    spec.router.activation,
    { taskIndex: 0, x: memory.x, dim: memory.dim, labels: memory.unionLabels },
    { kernels, ...(thread !== undefined ? { thread } : {}) },
  );
  const layers = frozen.layers;
  const adapters = modules.length;
  for (let e = 0; e < count; e++) {
    const record = records[first + e];
    if (record === undefined) continue;
    const perLayer = Array.from({ length: layers }, (_, l) =>
      Array.from(
        { length: adapters },
        (_, a) => Math.round((scores[(e * layers + l) * adapters + a] ?? 0) * 1000) / 1000,
      ),
    );
    records[first + e] = { ...record, scores: perLayer };
  }
}
