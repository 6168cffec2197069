/**
 * What the class statistics feature replay keeps know about a test example, as a log-prior for L2R's
 * CIL prediction: linear discriminant analysis of the stem features (class means, one within-class
 * covariance shared by every class of every task), as log p(class | x), or log p(task | x) spread over
 * that task's classes. Vector backbones only (a token backbone's rows are not features).
 */

import type { ExperimentSpec } from '../../protocol/spec';
import type { ScoredSet } from '../eval/rows';
import { discriminantScores, fitDiscriminant } from '../statistical/discriminant';
import { orderOffsets, statisticsOf } from './memoryRows';
import type { PreparedTask } from './prepared';

/** Per test set (tasks in `order`), λ · the log-prior over the union of classes; undefined when off. */
export function statisticsPriors(
  spec: Pick<ExperimentSpec, 'backbone' | 'router' | 'baselineOptions'>,
  seed: { readonly tasks: ReadonlyMap<string, PreparedTask>; readonly width: number },
  order: readonly string[],
  sets: readonly ScoredSet[],
): Float32Array[] | undefined {
  const weight = spec.router.statisticsPrior;
  if (!(weight > 0) || spec.backbone.type === 'bert') return undefined;
  const stats = order.map((name) => {
    const task = seed.tasks.get(name);
    if (task === undefined) throw new Error(`unknown task ${name}`);
    return statisticsOf(task, seed.width, 'full');
  });
  const discriminant = fitDiscriminant(stats, spec.baselineOptions.lda.shrinkage);
  const offsets = orderOffsets(seed.tasks, order);
  return sets.map((set) => {
    const n = set.labels.length;
    const logPosterior = logSoftmaxRows(discriminantScores(discriminant, set.x, n), n, discriminant.classes);
    if (spec.router.statisticsPriorLevel === 'task') spreadOverTasks(logPosterior, n, offsets);
    return Float32Array.from(logPosterior, (v) => weight * v);
  });
}

/** log softmax of each row of scores [n x classes], in place. */
function logSoftmaxRows(scores: Float64Array, n: number, classes: number): Float64Array {
  for (let i = 0; i < n; i++) {
    const row = scores.subarray(i * classes, (i + 1) * classes);
    const max = row.reduce((a, b) => Math.max(a, b), -Infinity);
    const log = max + Math.log(row.reduce((a, b) => a + Math.exp(b - max), 0));
    for (let c = 0; c < classes; c++) row[c] = (row[c] ?? 0) - log;
  }
  return scores;
}

/** Replaces every class's log p(c | x) by its task's log Σ_c p(c | x), in place. */
function spreadOverTasks(logPosterior: Float64Array, n: number, offsets: readonly number[]): void {
  const classes = offsets[offsets.length - 1] ?? 0;
  for (let i = 0; i < n; i++)
    for (let t = 0; t + 1 < offsets.length; t++) {
      const from = i * classes + (offsets[t] ?? 0);
      const to = i * classes + (offsets[t + 1] ?? 0);
      let max = -Infinity;
      for (let k = from; k < to; k++) max = Math.max(max, logPosterior[k] ?? -Infinity);
      let sum = 0;
      for (let k = from; k < to; k++) sum += Math.exp((logPosterior[k] ?? 0) - max);
      const task = max + Math.log(sum);
      for (let k = from; k < to; k++) logPosterior[k] = task;
    }
}
