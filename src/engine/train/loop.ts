import type { Random } from '../random';
import type { Scalar, Tensor, Tensor2D, Tf, Variable } from '../tf';
import { gatherRows } from './batches';
import { runEpochs } from './epochs';
import type { TrainHooks } from './hooks';

/** A classifier to train with softmax cross-entropy on rows of cached features. */
export interface ClassifierTraining {
  readonly lr: number;
  /** The only variables the optimiser may change. */
  readonly vars: readonly Variable[];
  /** Cached rows (one per example, `width` numbers each) and their class indices. */
  readonly x: Float32Array;
  readonly width: number;
  readonly labels: Int32Array;
  readonly classes: number;
  readonly batchSize: number;
  readonly epochs: number;
  /** A random stream per epoch, so an epoch resumed from a checkpoint draws what it drew first. */
  readonly randomForEpoch: (epoch: number) => Random;
  /**
   * Per-batch tensors made outside the gradient scope (e.g. Gumbel noise, targets built from the
   * batch's example indices); disposed after the step.
   */
  readonly extras?: (count: number, random: Random, indices: Int32Array) => Tensor[];
  /**
   * The logits of a batch, and optionally a penalty added to the cross-entropy; runs inside the
   * optimiser's scope.
   */
  readonly logits: (
    rows: Float32Array,
    count: number,
    extras: readonly Tensor[],
  ) => Tensor2D | { readonly logits: Tensor2D; readonly penalty: Scalar };
}

/**
 * The one training loop of the engine: shuffled mini-batches, Adam, softmax cross-entropy, accuracy
 * and loss per epoch, cancellation between steps, epoch checkpoints through the hooks.
 */
export async function trainClassifier(tf: Tf, t: ClassifierTraining, hooks: TrainHooks = {}): Promise<void> {
  const optimizer = tf.train.adam(t.lr);
  try {
    const first = (await hooks.resume?.(optimizer)) ?? 1;
    await runEpochs(
      {
        rows: t.labels.length,
        batchSize: t.batchSize,
        epochs: t.epochs,
        first,
        randomForEpoch: t.randomForEpoch,
        step: async (idx, random) => {
          const rows = gatherRows(t.x, t.width, idx);
          const y = tf.tidy(() =>
            tf.oneHot(
              tf.tensor1d(
                Int32Array.from(idx, (i) => t.labels[i] ?? 0),
                'int32',
              ),
              t.classes,
            ),
          );
          const extras = t.extras?.(idx.length, random, idx) ?? [];
          let predicted: Tensor | undefined;
          const loss = optimizer.minimize(
            () => {
              const out = t.logits(rows, idx.length, extras);
              const logits = 'penalty' in out ? out.logits : out;
              predicted = tf.keep(tf.argMax(logits, 1));
              const ce = tf.losses.softmaxCrossEntropy(y, logits) as Scalar;
              return 'penalty' in out ? (tf.add(ce, out.penalty) as Scalar) : ce;
            },
            true,
            [...t.vars],
          );
          const lossValue = (await loss?.data())?.[0] ?? Number.NaN;
          const pred = predicted !== undefined ? await predicted.data() : new Int32Array();
          let correct = 0;
          for (let i = 0; i < idx.length; i++) if (pred[i] === t.labels[idx[i] ?? 0]) correct++;
          tf.dispose([
            y,
            ...extras,
            ...(loss !== null ? [loss] : []),
            ...(predicted !== undefined ? [predicted] : []),
          ]);
          return { loss: lossValue, correct };
        },
        afterEpoch: async (epoch) => {
          await hooks.checkpoint?.(epoch, optimizer);
        },
      },
      hooks,
    );
  } finally {
    optimizer.dispose();
  }
}
