import type { RoutedPredictions } from '../eval/evaluate';

type Predictions = Pick<RoutedPredictions, 'cil' | 'til'>;

/**
 * Predictions of a classifier that scores every class of the union ([n x classes], classes in task
 * order): CIL takes the best class of all, TIL the best of the example's own task (local index).
 */
export function predictionsFromScores(
  scores: Float64Array,
  n: number,
  offsets: readonly number[],
  task: number,
): Predictions {
  const classes = offsets[offsets.length - 1] ?? 0;
  const from = offsets[task] ?? 0;
  const to = offsets[task + 1] ?? classes;
  const cil = new Int32Array(n);
  const til = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    cil[i] = argmax(scores, i * classes, 0, classes);
    til[i] = argmax(scores, i * classes, from, to) - from;
  }
  return { cil, til };
}

function argmax(values: Float64Array, row: number, from: number, to: number): number {
  let best = from;
  for (let c = from + 1; c < to; c++)
    if ((values[row + c] ?? -Infinity) > (values[row + best] ?? -Infinity)) best = c;
  return best;
}

/** The task owning each CIL prediction (a class of the union). */
export function taskOfClass(cil: Int32Array, offsets: readonly number[]): Int32Array {
  return cil.map((c) => {
    let t = 0;
    while (t + 1 < offsets.length - 1 && c >= (offsets[t + 1] ?? Infinity)) t++;
    return t;
  });
}
