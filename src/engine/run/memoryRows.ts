import type { MemoryBatchSource } from '../train/trainRouter';
import { gatherRows } from '../train/batches';
import type { PreparedTask } from './prepared';

/** A memory entry: the task's position in the order and the example's row in its training split. */
export interface MemoryEntry {
  readonly task: number;
  readonly index: number;
}

/** Start of each task's classes in the union of classes, tasks in `order` (length tasks + 1). */
export function orderOffsets(tasks: ReadonlyMap<string, PreparedTask>, order: readonly string[]): number[] {
  const offsets = [0];
  for (const name of order)
    offsets.push((offsets[offsets.length - 1] ?? 0) + (tasks.get(name)?.data.classes.length ?? 0));
  return offsets;
}

/**
 * Memory examples as router training input: their cached rows, labels in the union of classes (each
 * task's classes after those of the tasks before it in the order, as the heads are concatenated), and
 * each example's task.
 */
export function memoryRows(
  seed: { readonly tasks: ReadonlyMap<string, PreparedTask>; readonly width: number },
  order: readonly string[],
  entries: readonly MemoryEntry[],
): MemoryBatchSource {
  const offsets = orderOffsets(seed.tasks, order);
  const x = new Float32Array(entries.length * seed.width);
  const unionLabels = new Int32Array(entries.length);
  const tasks = Int32Array.from(entries, (m) => m.task);
  entries.forEach((m, i) => {
    const task = seed.tasks.get(order[m.task] ?? '');
    if (task === undefined) return;
    x.set(gatherRows(task.train, seed.width, [m.index]), i * seed.width);
    unionLabels[i] = (offsets[m.task] ?? 0) + (task.data.train.labels[m.index] ?? 0);
  });
  return { x, dim: seed.width, unionLabels, tasks };
}
