/**
 * The frozen backbone's representation (no adapters, pooled) of every task's training and test
 * examples, and each task's class statistics over it: what the similarity and statistical baselines
 * decide with. Computed once per seed and order, shared by every such baseline.
 */

import type { ClassStatistics } from '../featureReplay';
import { classStatistics } from '../featureReplay';
import { frozenFeatures } from '../eval/evaluate';
import type { ScoredSet } from '../eval/rows';
import type { FrozenBackbone } from '../model/backbone';
import type { PreparedTask } from '../run/prepared';
import type { Tf } from '../tf';

export interface TrainFeatures {
  readonly features: Float32Array;
  readonly labels: Int32Array;
  readonly classes: number;
}

export interface FrozenSets {
  readonly dim: number;
  /** Per task of the order: its training examples' frozen features. */
  readonly train: readonly TrainFeatures[];
  /** Per test set (tasks in order): its examples' frozen features. */
  readonly test: readonly Float32Array[];
  /** Per task: class means and full within-class scatter of its training features. */
  readonly statistics: readonly ClassStatistics[];
}

export async function frozenSets(
  tf: Tf,
  frozen: FrozenBackbone,
  tasks: ReadonlyMap<string, PreparedTask>,
  order: readonly string[],
  width: number,
  sets: readonly ScoredSet[],
): Promise<FrozenSets> {
  const train = await Promise.all(
    order.map(async (name, t) => {
      const task = tasks.get(name);
      if (task === undefined) throw new Error(`unknown task ${name}`);
      const set = { taskIndex: t, x: task.train, dim: width, labels: task.data.train.labels };
      return {
        features: await frozenFeatures(tf, frozen, set),
        labels: task.data.train.labels,
        classes: task.data.classes.length,
      };
    }),
  );
  const test = await Promise.all(sets.map((set) => frozenFeatures(tf, frozen, set)));
  const statistics = train.map((f) => classStatistics(f.features, frozen.dim, f.labels, f.classes, 'full'));
  return { dim: frozen.dim, train, test, statistics };
}

/**
 * The statistics of several tasks as one: classes concatenated in task order, scatter summed. What a
 * stream that keeps one shared scatter holds after those tasks (full covariance only).
 */
export function mergeStatistics(stats: readonly ClassStatistics[]): ClassStatistics {
  const dim = stats[0]?.dim ?? 0;
  const classes = stats.reduce((sum, s) => sum + s.counts.length, 0);
  const counts = new Float64Array(classes);
  const means = new Float64Array(classes * dim);
  const scatter = new Float64Array(dim * dim);
  let at = 0;
  for (const s of stats) {
    counts.set(s.counts, at);
    means.set(s.means, at * dim);
    at += s.counts.length;
    for (let i = 0; i < scatter.length; i++) scatter[i] = (scatter[i] ?? 0) + (s.scatter[i] ?? 0);
  }
  return { dim, counts, means, scatter, covariance: 'full' };
}
