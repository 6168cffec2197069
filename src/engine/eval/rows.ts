import type { RunCoordinates } from '../../protocol/events';
import type { ResultRow } from '../../protocol/runFolder';
import type { Setting } from '../../protocol/spec';
import type { PreparedTask } from '../run/prepared';
import type { EvalSet, RoutedPredictions } from './evaluate';
import { accuracy, macroF1, mean } from './metrics';

/** A task's test split ready to evaluate, with its number of classes. */
export type ScoredSet = EvalSet & { readonly classes: number };

/** The test sets of the tasks in `order`, in that order. */
export function testSets(
  tasks: ReadonlyMap<string, PreparedTask>,
  order: readonly string[],
  width: number,
): ScoredSet[] {
  return order.map((name, t) => {
    const task = tasks.get(name);
    if (task === undefined) throw new Error(`unknown task ${name}`);
    return {
      taskIndex: t,
      x: task.test,
      dim: width,
      labels: task.data.test.labels,
      classes: task.data.classes.length,
    };
  });
}

type Predictions = Pick<RoutedPredictions, 'cil' | 'til'>;

/** Per-task accuracy (percent) in CIL (over the union of classes) and in TIL, keyed by task name. */
export function perTaskAccuracy(
  order: readonly string[],
  offsets: readonly number[],
  sets: readonly ScoredSet[],
  predictions: readonly Predictions[],
): { cil: Record<string, number>; til: Record<string, number> } {
  const cil: Record<string, number> = {};
  const til: Record<string, number> = {};
  sets.forEach((set, t) => {
    const p = predictions[t];
    if (p === undefined) return;
    cil[order[t] ?? ''] = accuracy(
      p.cil,
      Array.from(set.labels, (l) => (offsets[t] ?? 0) + l),
    );
    til[order[t] ?? ''] = accuracy(p.til, set.labels);
  });
  return { cil, til };
}

/** The CIL and TIL result rows of a method from per-task predictions (tasks in stream order). */
export function resultRows(
  where: {
    readonly order: readonly string[];
    readonly coords: RunCoordinates;
    readonly settings: readonly Setting[];
  },
  method: string,
  offsets: readonly number[],
  sets: readonly ScoredSet[],
  predictions: readonly Predictions[],
  extra: Partial<Pick<ResultRow, 'forgetting' | 'bwt' | 'fwt'>> = {},
): ResultRow[] {
  const perTask = perTaskAccuracy(where.order, offsets, sets, predictions);
  const rows: ResultRow[] = [];
  if (where.settings.includes('cil')) {
    const cilPred = predictions.flatMap((p) => Array.from(p.cil));
    const cilTruth = sets.flatMap((set, t) => Array.from(set.labels, (l) => (offsets[t] ?? 0) + l));
    rows.push({
      ...where.coords,
      method,
      setting: 'cil',
      accuracy: mean(Object.values(perTask.cil)),
      macroF1: macroF1(cilPred, cilTruth, offsets[offsets.length - 1] ?? 0),
      perTask: perTask.cil,
      ...extra,
    });
  }
  if (where.settings.includes('til')) {
    const tilF1 = sets.map((set, t) => macroF1(predictions[t]?.til ?? [], set.labels, set.classes));
    rows.push({
      ...where.coords,
      method,
      setting: 'til',
      accuracy: mean(Object.values(perTask.til)),
      macroF1: mean(tilF1),
      perTask: perTask.til,
    });
  }
  return rows;
}
