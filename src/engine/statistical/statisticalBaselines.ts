/**
 * The rehearsal-free classifiers on the frozen features' class statistics, without adapters: `lda`
 * (shared covariance), `klda` (the same over random Fourier features) and `ncm` (cosine to the class
 * means). Each scores every class of every task, so CIL and TIL come from one pass.
 */

import type { RunCoordinates } from '../../protocol/events';
import type { ResultRow } from '../../protocol/runFolder';
import type { Baseline, BaselineOptions, Setting } from '../../protocol/spec';
import type { ScoredSet } from '../eval/rows';
import { resultRows } from '../eval/rows';
import type { Random } from '../random';
import { discriminantScores, fitDiscriminant } from './discriminant';
import type { FrozenSets } from './frozenSets';
import { kernelDiscriminantProbabilities } from './kernelDiscriminant';
import { cosineScores } from './nearestMean';
import { predictionsFromScores } from './predictions';

export interface StatisticalContext {
  readonly where: {
    readonly order: readonly string[];
    readonly coords: RunCoordinates;
    readonly settings: readonly Setting[];
  };
  readonly baselines: readonly Baseline[];
  readonly options: BaselineOptions;
  /** The random stream of KLDA's member `member` (its Fourier features). */
  readonly random: (member: number) => Random;
}

export function statisticalBaselines(
  ctx: StatisticalContext,
  offsets: readonly number[],
  sets: readonly ScoredSet[],
  frozen: FrozenSets,
): ResultRow[] {
  const rows: ResultRow[] = [];
  const rowsOf = (method: string, scores: readonly Float64Array[]): ResultRow[] =>
    resultRows(
      ctx.where,
      method,
      offsets,
      sets,
      sets.map((set, t) =>
        predictionsFromScores(scores[t] ?? new Float64Array(), set.labels.length, offsets, t),
      ),
    );
  const testRows = (t: number): number => sets[t]?.labels.length ?? 0;
  if (ctx.baselines.includes('lda')) {
    const lda = fitDiscriminant(frozen.statistics, ctx.options.lda.shrinkage);
    rows.push(
      ...rowsOf(
        'lda',
        frozen.test.map((x, t) => discriminantScores(lda, x, testRows(t))),
      ),
    );
  }
  if (ctx.baselines.includes('klda'))
    rows.push(
      ...rowsOf(
        'klda',
        kernelDiscriminantProbabilities(frozen.train, frozen.test, frozen.dim, ctx.options.klda, ctx.random),
      ),
    );
  if (ctx.baselines.includes('ncm'))
    rows.push(
      ...rowsOf(
        'ncm',
        frozen.test.map((x, t) => cosineScores(frozen.statistics, x, testRows(t))),
      ),
    );
  return rows;
}
