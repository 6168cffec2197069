/**
 * KLDA (Momeni, Mazumder, Liu, AAAI 2025): linear discriminant analysis over random Fourier features
 * of an RBF kernel on the frozen features, class means and one shared covariance updated task by
 * task; with an ensemble, every member draws its own features and their class probabilities (a
 * softmax of the negative Mahalanobis distances) are averaged (KLDA-E).
 */

import type { BaselineOptions } from '../../protocol/spec';
import { classStatistics } from '../featureReplay';
import type { Random } from '../random';
import { discriminantScores, fitDiscriminant } from './discriminant';
import type { TrainFeatures } from './frozenSets';
import { mergeStatistics } from './frozenSets';
import { drawFourierMap, fourierFeatures } from './randomFeatures';

/**
 * The kernel's length scale: `bandwidth` times the root mean squared distance of the first task's
 * training features to their mean (the only data a stream has seen when it must fix its features).
 */
export function lengthScale(first: TrainFeatures, dim: number, bandwidth: number): number {
  const n = first.labels.length;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < dim; j++) mean[j] = (mean[j] ?? 0) + (first.features[i * dim + j] ?? 0) / n;
  let sum = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < dim; j++) sum += ((first.features[i * dim + j] ?? 0) - (mean[j] ?? 0)) ** 2;
  return bandwidth * Math.sqrt(sum / Math.max(1, n)) + 1e-12;
}

/**
 * Class probabilities ([n x classes], classes in task order) of every test set under KLDA-E fitted on
 * `train` (tasks in order). `random(member)` gives each member's feature draw.
 */
export function kernelDiscriminantProbabilities(
  train: readonly TrainFeatures[],
  test: readonly Float32Array[],
  dim: number,
  options: BaselineOptions['klda'],
  random: (member: number) => Random,
): Float64Array[] {
  const first = train[0];
  if (first === undefined) return [];
  const scale = lengthScale(first, dim, options.bandwidth);
  const classes = train.reduce((sum, t) => sum + t.classes, 0);
  const out = test.map((x) => new Float64Array((x.length / dim) * classes));
  for (let member = 0; member < options.ensemble; member++) {
    const map = drawFourierMap(dim, options.features, scale, random(member));
    // Task by task, as a stream would: each task's statistics fold into the shared scatter and are dropped.
    let kept = undefined as ReturnType<typeof mergeStatistics> | undefined;
    for (const t of train) {
      const z = fourierFeatures(map, t.features, t.labels.length);
      const stats = classStatistics(z, options.features, t.labels, t.classes, 'full');
      kept = kept === undefined ? stats : mergeStatistics([kept, stats]);
    }
    if (kept === undefined) continue;
    // KLDA inverts the scatter as it is (a pseudo-inverse); a ridge of 1e-6 of its scale does the same here.
    const discriminant = fitDiscriminant([kept], 0);
    test.forEach((x, s) => {
      const n = x.length / dim;
      const scores = discriminantScores(discriminant, fourierFeatures(map, x, n), n);
      addSoftmax(out[s] ?? new Float64Array(), scores, n, classes);
    });
  }
  return out;
}

/** probabilities += softmax(2 s) row-wise: the Mahalanobis distance is −2 s up to a per-row constant. */
function addSoftmax(probabilities: Float64Array, scores: Float64Array, n: number, classes: number): void {
  for (let i = 0; i < n; i++) {
    const row = i * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, 2 * (scores[row + c] ?? 0));
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(2 * (scores[row + c] ?? 0) - max);
    for (let c = 0; c < classes; c++)
      probabilities[row + c] =
        (probabilities[row + c] ?? 0) + Math.exp(2 * (scores[row + c] ?? 0) - max) / sum;
  }
}
