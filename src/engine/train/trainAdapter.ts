import type { AdapterSpec } from '../../protocol/spec';
import { forwardSingle, headLogits } from '../model/forward';
import type { FrozenBackbone } from '../model/backbone';
import type { TaskModule } from '../model/params';
import { adapterVariables, headVariables } from '../model/params';
import type { Random } from '../random';
import type { Scalar, Tensor2D, Tf } from '../tf';
import { epochBatches, gatherRows } from './batches';
import { Cancelled, yieldToEventLoop } from './hooks';
import type { TrainHooks } from './hooks';

/**
 * Trains one task's adapters and head in isolation: the forward pass runs through this task's
 * adapters only (earlier tasks' adapters are not in the graph at all), and only this task's
 * variables are updated. The backbone is constant.
 */
export async function trainAdapter(
  tf: Tf,
  module: TaskModule,
  frozen: FrozenBackbone,
  data: { readonly x: Float32Array; readonly labels: Int32Array; readonly dim: number },
  spec: AdapterSpec,
  /** A random stream per epoch, so an epoch resumed from a checkpoint draws what it drew first. */
  randomForEpoch: (epoch: number) => Random,
  hooks: TrainHooks = {},
): Promise<void> {
  const optimizer = tf.train.adam(spec.lr);
  const vars = [...adapterVariables(module), ...headVariables(module)];
  const n = data.labels.length;
  const classes = module.classes.length;
  try {
    const first = (await hooks.resume?.(optimizer)) ?? 1;
    for (let epoch = first; epoch <= spec.epochs; epoch++) {
      const random = randomForEpoch(epoch);
      const batches = epochBatches(n, spec.batchSize, random);
      const started = performance.now();
      let lossSum = 0;
      let correct = 0;
      for (let s = 0; s < batches.length; s++) {
        await yieldToEventLoop();
        if (hooks.shouldStop?.() === true) throw new Cancelled();
        const idx = batches[s] ?? new Int32Array();
        const rows = gatherRows(data.x, data.dim, idx);
        const y = tf.tidy(() =>
          tf.oneHot(
            tf.tensor1d(
              Int32Array.from(idx, (i) => data.labels[i] ?? 0),
              'int32',
            ),
            classes,
          ),
        );
        let predicted: Tensor2D | undefined;
        const loss = optimizer.minimize(
          () => {
            const logits = headLogits(
              tf,
              forwardSingle(tf, frozen.input(tf, rows, idx.length), frozen, module),
              module,
            );
            predicted = tf.keep(tf.argMax(logits, 1) as Tensor2D);
            return tf.losses.softmaxCrossEntropy(y, logits) as Scalar;
          },
          true,
          vars,
        );
        const lossValue = (await loss?.data())?.[0] ?? Number.NaN;
        const pred = predicted !== undefined ? await predicted.data() : new Int32Array();
        for (let i = 0; i < idx.length; i++) if (pred[i] === data.labels[idx[i] ?? 0]) correct++;
        tf.dispose([y, ...(loss !== null ? [loss] : []), ...(predicted !== undefined ? [predicted] : [])]);
        lossSum += lossValue * idx.length;
        hooks.onStep?.({
          epoch,
          epochs: spec.epochs,
          step: s + 1,
          steps: batches.length,
          loss: lossValue,
          examples: idx.length,
        });
      }
      const seconds = (performance.now() - started) / 1000;
      await hooks.onEpoch?.({
        epoch,
        epochs: spec.epochs,
        loss: lossSum / n,
        trainAccuracy: correct / n,
        examplesPerSecond: n / seconds,
      });
      await hooks.checkpoint?.(epoch, optimizer);
    }
  } finally {
    optimizer.dispose();
  }
}
