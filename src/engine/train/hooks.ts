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
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}
