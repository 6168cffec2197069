import { createRandom } from './random';
import type { Random } from './random';

/**
 * The seeded random streams that decide a task's isolated adapters, named once: the engine and the
 * adapter threads draw from these, so a task trained in either place gets the same weights.
 * Streams are keyed by positions (`orderKey`: the order's position among the stream's orders; `t`:
 * the task's position in that order), never by names, so renaming a task or an order changes no number.
 */
export const randomStreams = {
  /** The frozen layers of the vector backbone of a seed. */
  vectorBackbone: (seed: number): Random => createRandom(seed, 8),
  /** Initial weights of task `t`'s adapters and head in an order. */
  adapterInit: (seed: number, orderKey: number, t: number): Random => createRandom(seed, orderKey, t, 1),
  /** Shuffles of epoch `epoch` of task `t`'s adapter training. */
  adapterEpoch:
    (seed: number, orderKey: number, t: number) =>
    (epoch: number): Random =>
      createRandom(seed, orderKey, t, 2, epoch),
};
