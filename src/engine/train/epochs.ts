import type { Random } from '../random';
import { epochBatches } from './batches';
import { Cancelled, yieldToEventLoop } from './hooks';
import type { TrainHooks } from './hooks';

/** One training job's epochs, as both loops (TF.js and the kernels) run them. */
export interface EpochsJob {
  readonly rows: number;
  readonly batchSize: number;
  readonly epochs: number;
  /** The first epoch to run (after a resume, the one after the checkpoint). */
  readonly first: number;
  /** A random stream per epoch, so an epoch resumed from a checkpoint draws what it drew first. */
  readonly randomForEpoch: (epoch: number) => Random;
  /** One optimiser step on a batch of row indices: its mean loss and how many it got right. */
  readonly step: (
    indices: Int32Array,
    random: Random,
  ) => Promise<{ loss: number; correct: number }> | { loss: number; correct: number };
  /** After each epoch's statistics. */
  readonly afterEpoch: (epoch: number) => Promise<void>;
}

/**
 * Shuffled mini-batches epoch by epoch, statistics per epoch, cancellation between steps (the event
 * loop gets a turn at most every 50 ms, for IPC), and the caller's checkpoint after each epoch.
 */
export async function runEpochs(job: EpochsJob, hooks: TrainHooks): Promise<void> {
  const n = job.rows;
  for (let epoch = job.first; epoch <= job.epochs; epoch++) {
    const random = job.randomForEpoch(epoch);
    const batches = epochBatches(n, job.batchSize, random);
    const started = performance.now();
    let lossSum = 0;
    let correct = 0;
    for (let s = 0; s < batches.length; s++) {
      await yieldToEventLoop();
      if (hooks.shouldStop?.() === true) throw new Cancelled();
      const idx = batches[s] ?? new Int32Array();
      const result = await job.step(idx, random);
      correct += result.correct;
      lossSum += result.loss * idx.length;
      hooks.onStep?.({
        epoch,
        epochs: job.epochs,
        step: s + 1,
        steps: batches.length,
        loss: result.loss,
        examples: idx.length,
      });
    }
    const seconds = (performance.now() - started) / 1000;
    await hooks.onEpoch?.({
      epoch,
      epochs: job.epochs,
      loss: lossSum / n,
      trainAccuracy: correct / n,
      examplesPerSecond: n / seconds,
    });
    await job.afterEpoch(epoch);
  }
}
