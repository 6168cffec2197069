/**
 * Whether L2R's routing earns its keep on a run: the best rehearsal-free baseline (by CIL accuracy)
 * beside L2R-wavg. One pure helper for every place that shows it (the CLI's summary table, `l2r
 * report`, the Results panel), so they cannot disagree.
 */

import type { AggregateRow } from './runFolder';
import { REHEARSAL_FREE } from './spec';

export interface RehearsalFreeVerdict {
  /** The rehearsal-free baseline with the highest mean CIL accuracy. */
  readonly best: { readonly method: string; readonly cil: AggregateRow; readonly til?: AggregateRow };
  /** L2R-wavg's rows, when the run has them. */
  readonly l2r?: { readonly cil: AggregateRow; readonly til?: AggregateRow };
  /** L2R-wavg CIL minus the best baseline's (percentage points), when both ran. */
  readonly margin?: number;
  /** The margin exceeds the larger of the two standard deviations (needs more than one run). */
  readonly clear: boolean;
  /** One line for a summary. */
  readonly line: string;
}

/** Undefined when the run has no rehearsal-free baseline (`epi`, `lda`, `klda`, `ncm`). */
export function rehearsalFreeVerdict(aggregate: readonly AggregateRow[]): RehearsalFreeVerdict | undefined {
  const find = (method: string, setting: 'cil' | 'til'): AggregateRow | undefined =>
    aggregate.find((a) => a.method === method && a.setting === setting && a.memory === undefined);
  const candidates = REHEARSAL_FREE.map((method) => ({ method, cil: find(method, 'cil') })).filter(
    (c): c is { method: (typeof REHEARSAL_FREE)[number]; cil: AggregateRow } => c.cil !== undefined,
  );
  const top = candidates.sort((a, b) => b.cil.accuracyMean - a.cil.accuracyMean)[0];
  if (top === undefined) return undefined;
  const best = { method: top.method, cil: top.cil, til: find(top.method, 'til') };
  const l2rCil = find('l2r-wavg', 'cil');
  const cell = (a: AggregateRow): string =>
    a.n > 1 ? `${a.accuracyMean.toFixed(1)} ± ${a.accuracyStd.toFixed(1)}` : a.accuracyMean.toFixed(1);
  if (l2rCil === undefined)
    return {
      best,
      clear: false,
      line: `Best rehearsal-free baseline: ${best.method}, CIL ${cell(best.cil)}.`,
    };
  const margin = l2rCil.accuracyMean - best.cil.accuracyMean;
  const spread = Math.max(l2rCil.accuracyStd, best.cil.accuracyStd);
  const clear = l2rCil.n > 1 && best.cil.n > 1 && Math.abs(margin) > spread;
  const standing = !(l2rCil.n > 1 && best.cil.n > 1)
    ? `L2R-wavg is ${margin > 0 ? 'ahead' : 'behind'} (one run: no spread to judge the margin by)`
    : margin > 0
      ? clear
        ? 'L2R-wavg is ahead by more than one standard deviation'
        : 'L2R-wavg is ahead, within one standard deviation'
      : clear
        ? 'L2R-wavg is behind by more than one standard deviation: the routing does not earn its keep here'
        : 'L2R-wavg is behind, within one standard deviation';
  return {
    best,
    l2r: { cil: l2rCil, til: find('l2r-wavg', 'til') },
    margin,
    clear,
    line: `Best rehearsal-free baseline: ${best.method}, CIL ${cell(best.cil)} against L2R-wavg ${cell(l2rCil)} (${margin >= 0 ? '+' : '−'}${Math.abs(margin).toFixed(1)} points): ${standing}.`,
  };
}
