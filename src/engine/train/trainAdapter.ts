import type { AdapterSpec } from '../../protocol/spec';
import type { KernelOptions } from '../kernels/select';
import { KernelMemoryError } from '../kernels/module';
import { trainAdapterWithKernels } from '../kernels/trainAdapterKernels';
import type { FrozenBackbone } from '../model/backbone';
import { forwardSingle, headLogits } from '../model/forward';
import type { TaskModule } from '../model/params';
import { adapterVariables, headVariables } from '../model/params';
import type { Random } from '../random';
import type { Tf } from '../tf';
import type { TrainHooks } from './hooks';
import { trainClassifier } from './loop';

/**
 * Trains one task's adapters and head in isolation: the forward pass runs through this task's
 * adapters only (earlier tasks' adapters are not in the graph at all), and only this task's
 * variables are updated. The backbone is constant.
 *
 * With `kernels` (see kernels/select.ts) and the default backbone, the steps run on the engine's
 * WebAssembly kernels instead of TF.js: same batches, loss, optimiser and hooks, results equal to
 * float rounding (test/engine/kernels.test.ts).
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
  options: KernelOptions = {},
): Promise<void> {
  if (options.kernels === true && (frozen.plainLayers !== undefined || frozen.plainBert !== undefined)) {
    try {
      await trainAdapterWithKernels(
        tf,
        module,
        frozen,
        data,
        spec,
        randomForEpoch,
        hooks,
        options.gradientThread,
      );
      return;
    } catch (error) {
      // Buffers are allocated before the first step, so nothing was trained yet: TF.js takes over.
      if (!(error instanceof KernelMemoryError)) throw error;
      options.onFallback?.(`${error.message}; training with TF.js instead`);
    }
  }
  await trainClassifier(
    tf,
    {
      lr: spec.lr,
      vars: [...adapterVariables(module), ...headVariables(module)],
      x: data.x,
      width: data.dim,
      labels: data.labels,
      classes: module.classes.length,
      batchSize: spec.batchSize,
      epochs: spec.epochs,
      randomForEpoch,
      logits: (rows, count) =>
        headLogits(tf, forwardSingle(tf, frozen.input(tf, rows, count), frozen, module), module),
    },
    hooks,
  );
}
