import type { MemorySpec } from '../protocol/spec';
import type { Random } from './random';
import { shuffled } from './random';

/** Memory budget for a task with `trainSize` training examples (at least one, at most all). */
export function memoryBudget(spec: MemorySpec, trainSize: number): number {
  const raw = spec.size.kind === 'count' ? spec.size.value : Math.round((spec.size.value / 100) * trainSize);
  return Math.min(trainSize, Math.max(1, raw));
}

/**
 * Chooses which training examples of a task the replay memory keeps:
 * - random: a uniform sample (the paper);
 * - balanced: round-robin over classes, so rare classes are kept;
 * - reservoir: reservoir sampling over the task's stream of examples in arrival order.
 * Returns indices into the task's training split, never more than `budget`.
 */
export function selectMemory(
  labels: Int32Array,
  budget: number,
  strategy: MemorySpec['strategy'],
  random: Random,
): number[] {
  const n = labels.length;
  const all = Array.from({ length: n }, (_, i) => i);
  if (strategy === 'random')
    return shuffled(all, random)
      .slice(0, budget)
      .sort((a, b) => a - b);
  if (strategy === 'reservoir') {
    const reservoir: number[] = [];
    for (let i = 0; i < n; i++) {
      if (reservoir.length < budget) reservoir.push(i);
      else {
        const j = random.int(i + 1);
        if (j < budget) reservoir[j] = i;
      }
    }
    return reservoir.sort((a, b) => a - b);
  }
  const byClass = new Map<number, number[]>();
  for (const i of shuffled(all, random))
    byClass.set(labels[i] ?? 0, [...(byClass.get(labels[i] ?? 0) ?? []), i]);
  const queues = [...byClass.keys()].sort((a, b) => a - b).map((c) => byClass.get(c) ?? []);
  const chosen: number[] = [];
  for (let round = 0; chosen.length < budget; round++) {
    let added = false;
    for (const q of queues) {
      const next = q[round];
      if (next !== undefined && chosen.length < budget) {
        chosen.push(next);
        added = true;
      }
    }
    if (!added) break;
  }
  return chosen.sort((a, b) => a - b);
}
