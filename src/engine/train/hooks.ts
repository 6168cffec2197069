import type { Tensor } from '../tf';

/** How a training loop reports and is stopped; called between steps, never inside tensor code. */
export interface TrainHooks {
  /** After each optimiser step. */
  onStep?(info: {
    epoch: number;
    epochs: number;
    step: number;
    steps: number;
    loss: number;
    examples: number;
  }): void;
  /** After each epoch, with the epoch's mean loss and training accuracy. */
  onEpoch?(info: {
    epoch: number;
    epochs: number;
    loss: number;
    trainAccuracy: number;
    examplesPerSecond: number;
  }): void | Promise<void>;
  /** Checked between steps: true stops the loop (the caller decides what is kept). */
  shouldStop?(): boolean;
  /**
   * Before the first epoch, with the fresh optimiser: restores a checkpoint if there is one and
   * returns the epoch to start at (1 when starting afresh).
   */
  resume?(optimizer: Optimizer): Promise<number>;
  /** After each epoch's statistics: checkpoint the variables and the optimiser state. */
  checkpoint?(epoch: number, optimizer: Optimizer): Promise<void>;
}

/** The optimiser state the hooks may save and restore (TF.js Optimizer's serialisable weights). */
export interface Optimizer {
  getWeights(): Promise<{ name: string; tensor: Tensor }[]>;
  setWeights(weights: { name: string; tensor: Tensor }[]): Promise<void>;
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

let lastYield = 0;
/**
 * Lets the event loop run (IPC messages such as `cancel`, timers) at most every 50 ms. Tensor reads
 * on the wasm/cpu backends resolve as microtasks, so a training loop would otherwise starve them.
 */
export async function yieldToEventLoop(): Promise<void> {
  const now = performance.now();
  if (now - lastYield < 50) return;
  lastYield = now;
  await new Promise<void>((resolve) => setImmediate(resolve));
}
