import type { MemoryBatchSource } from '../train/trainRouter';
import { gatherRows } from '../train/batches';
import type { ExperimentSpec, ReplayCovariance } from '../../protocol/spec';
import type { ClassStatistics } from '../featureReplay';
import { classStatistics, replayRows } from '../featureReplay';
import type { Random } from '../random';
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

const statisticsCache = new WeakMap<PreparedTask, Map<ReplayCovariance, ClassStatistics>>();

/** A task's class statistics for feature replay, computed once per task and covariance kind. */
export function statisticsOf(
  task: PreparedTask,
  width: number,
  covariance: ReplayCovariance,
): ClassStatistics {
  const byKind = statisticsCache.get(task) ?? new Map<ReplayCovariance, ClassStatistics>();
  statisticsCache.set(task, byKind);
  const cached = byKind.get(covariance);
  if (cached !== undefined) return cached;
  const stats = classStatistics(
    task.train,
    width,
    task.data.train.labels,
    task.data.classes.length,
    covariance,
  );
  byKind.set(covariance, stats);
  return stats;
}

/** Pseudo-examples per task that router training adds to the memory (0 for token backbones). */
export function replayPerTask(spec: Pick<ExperimentSpec, 'backbone' | 'router'>): number {
  return spec.backbone.type === 'bert' ? 0 : spec.router.featureReplay;
}

/** How many feature-replay pseudo-examples a router trains with, and from which random stream. */
export interface ReplaySource {
  readonly perTask: number;
  readonly covariance: ReplayCovariance;
  readonly random: () => Random;
}

/**
 * What routers train on: the memory entries, then `perTask` feature-replay pseudo-examples for each
 * task of `order` (every task seen so far), drawn from `random`.
 */
export function routerRows(
  seed: { readonly tasks: ReadonlyMap<string, PreparedTask>; readonly width: number },
  order: readonly string[],
  entries: readonly MemoryEntry[],
  replay: ReplaySource,
): MemoryBatchSource {
  const memory = memoryRows(seed, order, entries);
  if (replay.perTask <= 0) return memory;
  const stats = order.map((name) => {
    const task = seed.tasks.get(name);
    if (task === undefined) throw new Error(`unknown task ${name}`);
    return statisticsOf(task, seed.width, replay.covariance);
  });
  return concatRows(memory, replayRows(stats, replay.perTask, replay.random()));
}

function concatRows(a: MemoryBatchSource, b: MemoryBatchSource): MemoryBatchSource {
  const join = <T extends Float32Array | Int32Array>(make: (n: number) => T, p: T, q: T): T => {
    const out = make(p.length + q.length);
    out.set(p);
    out.set(q, p.length);
    return out;
  };
  return {
    x: join((n) => new Float32Array(n), a.x, b.x),
    dim: a.dim,
    unionLabels: join((n) => new Int32Array(n), a.unionLabels, b.unionLabels),
    tasks: join((n) => new Int32Array(n), a.tasks, b.tasks),
  };
}
