import type { RouterSpec } from '../../protocol/spec';
import { plainFrozenOf } from '../kernels/composedNet';
import { KernelMemoryError } from '../kernels/module';
import type { KernelOptions } from '../kernels/select';
import { trainRouterWithKernels } from '../kernels/trainRouterKernels';
import { disposePacked, forwardComposed, packAdapters, unionLogits } from '../model/forward';
import { disposeHeads, headsFromSnapshots } from '../model/heads';
import type { FrozenBackbone } from '../model/backbone';
import type { RouterLayer, TaskModule } from '../model/params';
import { headVariables, routerVariables } from '../model/params';
import type { Random } from '../random';
import type { Scalar, Tensor2D, Tf } from '../tf';
import type { TrainHooks } from './hooks';
import { trainClassifier } from './loop';

export interface MemoryBatchSource {
  /** Stem features of the memory examples (then any feature-replay pseudo-examples), row-major [n x dim]. */
  readonly x: Float32Array;
  readonly dim: number;
  /** Label index in the union of all classes (heads concatenated in stream order). */
  readonly unionLabels: Int32Array;
  /** The task (its position in the stream order, i.e. its adapter) of each memory example. */
  readonly tasks: Int32Array;
}

/** Optimiser steps per epoch and the number of epochs actually run (raised to reach `minSteps`). */
export function routerSchedule(n: number, spec: RouterSpec): { steps: number; epochs: number } {
  const steps = Math.max(1, Math.ceil(n / spec.batchSize));
  return { steps, epochs: Math.max(spec.epochs, Math.ceil(spec.minSteps / steps)) };
}

/**
 * Trains the per-layer routers on the replay memory (and any feature-replay rows appended to it,
 * see routerRows): adapters and backbone stay frozen; the loss is the classification loss of the
 * composed (wavg) model over the union of all classes.
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
  /** The heads as saved after isolated training: with `headAnchor`, tuned heads are pulled toward them. */
  isolatedHeads?: readonly Float32Array[][],
  /** Train on the engine's WebAssembly kernels (default and bert backbones; see kernels/select.ts). */
  options: KernelOptions = {},
): Promise<void> {
  const plain = plainFrozenOf(frozen);
  if (options.kernels === true && plain !== undefined) {
    try {
      await trainRouterWithKernels(
        tf,
        modules,
        plain,
        router,
        memory,
        spec,
        routerSchedule(memory.unionLabels.length, spec).epochs,
        randomForEpoch,
        logisticNoise,
        hooks,
        isolatedHeads,
        options.gradientThread,
      );
      return;
    } catch (error) {
      // Buffers are allocated before the first step, so nothing was trained yet: TF.js takes over.
      if (!(error instanceof KernelMemoryError)) throw error;
      options.onFallback?.(`${error.message}; training the routers with TF.js instead`);
    }
  }
  const adapters = modules.length;
  const anchors =
    spec.tuneHeads && spec.headAnchor > 0 && isolatedHeads !== undefined
      ? headsFromSnapshots(tf, modules, isolatedHeads)
      : undefined;
  // The adapters stay frozen while the routers train: packed once, composed in two products per layer.
  const packed = packAdapters(tf, modules, frozen.layers);
  const noisy = spec.activation === 'gumbel-sigmoid';
  // One adapter has nothing to choose between (and a one-class target has no second class).
  const supervised = spec.taskSupervision > 0 && modules.length > 1;
  try {
    await trainClassifier(
      tf,
      {
        lr: spec.lr,
        vars: [...routerVariables(router), ...(spec.tuneHeads ? modules.flatMap(headVariables) : [])],
        x: memory.x,
        width: memory.dim,
        labels: memory.unionLabels,
        classes: modules.reduce((sum, m) => sum + m.classes.length, 0),
        batchSize: spec.batchSize,
        epochs: routerSchedule(memory.unionLabels.length, spec).epochs,
        randomForEpoch,
        // Gumbel-sigmoid: fresh logistic noise per layer and batch, drawn from the epoch's stream; then,
        // with task supervision, the batch's own-task targets.
        extras: (count, random, indices) => [
          ...(noisy
            ? Array.from({ length: frozen.layers }, () =>
                tf.tensor2d(logisticNoise(count * adapters, random), [count, adapters]),
              )
            : []),
          ...(supervised
            ? [
                tf.oneHot(
                  tf.tensor1d(
                    Int32Array.from(indices, (i) => memory.tasks[i] ?? 0),
                    'int32',
                  ),
                  adapters,
                ),
              ]
            : []),
        ],
        logits: (rows, count, extras) => {
          const noise = noisy ? (extras.slice(0, frozen.layers) as Tensor2D[]) : undefined;
          const { h, scores } = forwardComposed(
            tf,
            frozen.input(tf, rows, count),
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
            packed,
          );
          const logits = unionLogits(tf, h, modules);
          const target = supervised ? extras[extras.length - 1] : undefined;
          const penalties: Scalar[] = [];
          if (target !== undefined) {
            // Binary cross-entropy of every layer's scores against the one-hot task, averaged over layers.
            const losses = scores.map((s) => {
              const p = tf.clipByValue(s, 1e-6, 1 - 1e-6);
              return tf.neg(
                tf.mean(tf.add(tf.mul(target, tf.log(p)), tf.mul(tf.sub(1, target), tf.log(tf.sub(1, p))))),
              );
            });
            penalties.push(tf.mul(tf.div(tf.addN(losses), losses.length), spec.taskSupervision) as Scalar);
          }
          if (anchors !== undefined) {
            // L2 toward the isolated heads: calibrate on the small memory without forgetting the task's data.
            const drift = modules.flatMap((m, t) => {
              const a = anchors[t];
              return a === undefined
                ? []
                : [tf.sum(tf.square(tf.sub(m.headW, a.headW))), tf.sum(tf.square(tf.sub(m.headB, a.headB)))];
            });
            penalties.push(tf.mul(tf.addN(drift), spec.headAnchor) as Scalar);
          }
          if (penalties.length === 0) return logits;
          return { logits, penalty: tf.addN(penalties) as Scalar };
        },
      },
      hooks,
    );
  } finally {
    disposeHeads(tf, anchors);
    disposePacked(tf, packed);
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
