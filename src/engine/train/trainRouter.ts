import type { RouterSpec } from '../../protocol/spec';
import { forwardComposed, unionLogits } from '../model/forward';
import type { FrozenBackbone } from '../model/backbone';
import type { RouterLayer, TaskModule } from '../model/params';
import { headVariables, routerVariables } from '../model/params';
import type { Random } from '../random';
import type { Scalar, Tensor2D, Tf } from '../tf';
import { epochBatches, gatherRows } from './batches';
import { Cancelled, yieldToEventLoop } from './hooks';
import type { TrainHooks } from './hooks';

export interface MemoryBatchSource {
  /** Stem features of the memory examples, row-major [n x dim]. */
  readonly x: Float32Array;
  readonly dim: number;
  /** Label index in the union of all classes (heads concatenated in stream order). */
  readonly unionLabels: Int32Array;
}

/** Optimiser steps per epoch and the number of epochs actually run (raised to reach `minSteps`). */
export function routerSchedule(n: number, spec: RouterSpec): { steps: number; epochs: number } {
  const steps = Math.max(1, Math.ceil(n / spec.batchSize));
  return { steps, epochs: Math.max(spec.epochs, Math.ceil(spec.minSteps / steps)) };
}

/**
 * Trains the per-layer routers on the replay memory alone: adapters and backbone stay frozen; the
 * loss is the classification loss of the composed (wavg) model over the union of all classes.
 * With `tuneHeads`, the task heads are trained too, which calibrates their logits against each
 * other for class-incremental prediction.
 */
export async function trainRouter(
  tf: Tf,
  modules: readonly TaskModule[],
  frozen: FrozenBackbone,
  router: readonly RouterLayer[],
  memory: MemoryBatchSource,
  spec: RouterSpec,
  /** A random stream per epoch, so an epoch resumed from a checkpoint draws what it drew first. */
  randomForEpoch: (epoch: number) => Random,
  hooks: TrainHooks = {},
): Promise<void> {
  const optimizer = tf.train.adam(spec.lr);
  const vars = [...routerVariables(router), ...(spec.tuneHeads ? modules.flatMap(headVariables) : [])];
  const n = memory.unionLabels.length;
  const totalClasses = modules.reduce((sum, m) => sum + m.classes.length, 0);
  const adapters = modules.length;
  const { epochs } = routerSchedule(n, spec);
  try {
    const first = (await hooks.resume?.(optimizer)) ?? 1;
    for (let epoch = first; epoch <= epochs; epoch++) {
      const random = randomForEpoch(epoch);
      const batches = epochBatches(n, spec.batchSize, random);
      const started = performance.now();
      let lossSum = 0;
      let correct = 0;
      for (let s = 0; s < batches.length; s++) {
        await yieldToEventLoop();
        if (hooks.shouldStop?.() === true) throw new Cancelled();
        const idx = batches[s] ?? new Int32Array();
        const rows = gatherRows(memory.x, memory.dim, idx);
        const y = tf.tidy(() =>
          tf.oneHot(
            tf.tensor1d(
              Int32Array.from(idx, (i) => memory.unionLabels[i] ?? 0),
              'int32',
            ),
            totalClasses,
          ),
        );
        const noise =
          spec.activation === 'gumbel-sigmoid'
            ? Array.from({ length: frozen.layers }, () =>
                tf.tensor2d(logisticNoise(idx.length * adapters, random), [idx.length, adapters]),
              )
            : undefined;
        let predicted: Tensor2D | undefined;
        const loss = optimizer.minimize(
          () => {
            const { h } = forwardComposed(
              tf,
              frozen.input(tf, rows, idx.length),
              frozen,
              modules,
              router,
              'wavg',
              {
                activation: spec.activation,
                temperature: spec.temperature,
                training: true,
                noise,
              },
            );
            const logits = unionLogits(tf, h, modules);
            predicted = tf.keep(tf.argMax(logits, 1) as Tensor2D);
            return tf.losses.softmaxCrossEntropy(y, logits) as Scalar;
          },
          true,
          vars,
        );
        const lossValue = (await loss?.data())?.[0] ?? Number.NaN;
        const pred = predicted !== undefined ? await predicted.data() : new Int32Array();
        for (let i = 0; i < idx.length; i++) if (pred[i] === memory.unionLabels[idx[i] ?? 0]) correct++;
        tf.dispose([
          y,
          ...(loss !== null ? [loss] : []),
          ...(predicted !== undefined ? [predicted] : []),
          ...(noise ?? []),
        ]);
        lossSum += lossValue * idx.length;
        hooks.onStep?.({
          epoch,
          epochs,
          step: s + 1,
          steps: batches.length,
          loss: lossValue,
          examples: idx.length,
        });
      }
      const seconds = (performance.now() - started) / 1000;
      await hooks.onEpoch?.({
        epoch,
        epochs,
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

/** Difference of two Gumbel(0,1) draws, i.e. Logistic(0,1): log(u) - log(1-u). */
function logisticNoise(count: number, random: Random): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const u = Math.min(Math.max(random.next(), 1e-7), 1 - 1e-7);
    out[i] = Math.log(u) - Math.log(1 - u);
  }
  return out;
}
