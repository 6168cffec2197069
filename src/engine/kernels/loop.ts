import type { Random } from '../random';
import { runEpochs } from '../train/epochs';
import type { Optimizer, TrainHooks } from '../train/hooks';
import { Cancelled } from '../train/hooks';

/** What a kernel-backed training job gives the loop. */
export interface KernelTraining {
  readonly rows: number;
  readonly batchSize: number;
  readonly epochs: number;
  readonly randomForEpoch: (epoch: number) => Random;
  /** Before the first epoch, after any resume: copy the (possibly restored) variables in. */
  readonly load: () => Promise<void>;
  /** One forward, backward and optimiser step on a batch of row indices. */
  readonly step: (
    indices: Int32Array,
    random: Random,
  ) => Promise<{ loss: number; correct: number }> | { loss: number; correct: number };
  /** Copies the kernel's parameters into the TF.js variables (checkpoints, the end, a stop). */
  readonly publish: () => void;
  /** The optimiser the hooks checkpoint; `release` frees what its getWeights handed out. */
  readonly optimizer: Optimizer & { release(): void };
}

/**
 * The kernels' twin of `trainClassifier`: the same epochs and batches (train/epochs.ts), with the
 * variables brought up to date before every checkpoint and at the end.
 */
export async function runKernelTraining(job: KernelTraining, hooks: TrainHooks): Promise<void> {
  try {
    const first = (await hooks.resume?.(job.optimizer)) ?? 1;
    await job.load();
    await runEpochs(
      {
        ...job,
        first,
        afterEpoch: async (epoch) => {
          if (hooks.checkpoint === undefined) return;
          job.publish();
          await hooks.checkpoint(epoch, job.optimizer);
          job.optimizer.release();
        },
      },
      hooks,
    );
    job.publish();
  } catch (error) {
    // Stopped between steps: leave the variables where the TF.js loop would (after the last step).
    if (error instanceof Cancelled) job.publish();
    throw error;
  }
}
