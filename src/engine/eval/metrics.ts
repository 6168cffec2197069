/** Continual-learning metrics on plain numbers (percentages in, percentages out). */

export function accuracy(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (truth.length === 0) return 0;
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
  return (100 * correct) / truth.length;
}

/** Macro-F1 (percent) over the classes 0..classes-1 that occur in truth or predictions. */
export function macroF1(predicted: ArrayLike<number>, truth: ArrayLike<number>, classes: number): number {
  const tp = new Float64Array(classes);
  const fp = new Float64Array(classes);
  const fn = new Float64Array(classes);
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i] ?? -1;
    const t = truth[i] ?? -1;
    if (p === t) tp[t] = (tp[t] ?? 0) + 1;
    else {
      if (p >= 0 && p < classes) fp[p] = (fp[p] ?? 0) + 1;
      if (t >= 0 && t < classes) fn[t] = (fn[t] ?? 0) + 1;
    }
  }
  let sum = 0;
  let present = 0;
  for (let c = 0; c < classes; c++) {
    const support = (tp[c] ?? 0) + (fn[c] ?? 0) + (fp[c] ?? 0);
    if (support === 0) continue;
    present++;
    const denominator = 2 * (tp[c] ?? 0) + (fp[c] ?? 0) + (fn[c] ?? 0);
    sum += denominator === 0 ? 0 : (2 * (tp[c] ?? 0)) / denominator;
  }
  return present === 0 ? 0 : (100 * sum) / present;
}

/**
 * From an accuracy matrix r[i][j] (accuracy on task j after learning task i, T x T) and the
 * accuracies b[j] of a model that learned nothing of task j (for FWT):
 * - average forgetting (Chaudhry et al. 2018): mean over j < T-1 of max_{i<T-1} r[i][j] - r[T-1][j];
 * - BWT (Lopez-Paz & Ranzato 2017): mean over j < T-1 of r[T-1][j] - r[j][j];
 * - FWT (Lopez-Paz & Ranzato 2017): mean over j > 0 of r[j-1][j] - b[j].
 */
export function transferMetrics(
  r: readonly (readonly number[])[],
  baseline?: readonly number[],
): { forgetting: number; bwt: number; fwt?: number } {
  const t = r.length;
  if (t < 2) return { forgetting: 0, bwt: 0, fwt: baseline !== undefined ? 0 : undefined };
  const last = r[t - 1] ?? [];
  let forgetting = 0;
  let bwt = 0;
  for (let j = 0; j < t - 1; j++) {
    let best = -Infinity;
    for (let i = j; i < t - 1; i++) best = Math.max(best, r[i]?.[j] ?? -Infinity);
    forgetting += best - (last[j] ?? 0);
    bwt += (last[j] ?? 0) - (r[j]?.[j] ?? 0);
  }
  let fwt: number | undefined;
  if (baseline !== undefined) {
    fwt = 0;
    for (let j = 1; j < t; j++) fwt += (r[j - 1]?.[j] ?? 0) - (baseline[j] ?? 0);
    fwt /= t - 1;
  }
  return { forgetting: forgetting / (t - 1), bwt: bwt / (t - 1), fwt };
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n-1); 0 for fewer than two values. */
export function std(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}
