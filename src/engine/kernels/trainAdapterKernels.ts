import type { AdapterSpec } from '../../protocol/spec';
import type { TaskModule } from '../model/params';
import { adapterVariables, headVariables } from '../model/params';
import type { Random } from '../random';
import type { Tf } from '../tf';
import type { TrainHooks } from '../train/hooks';
import type { FrozenBackbone } from '../model/backbone';
import { AdapterNet } from './adapterNet';
import { plainFrozenOf } from './composedNet';
import { dataParallelStep, GradientHelper, helperBatch } from './gradientHelper';
import { FlatAdam } from './flatAdam';
import { runKernelTraining } from './loop';
import { instantiateKernels, KernelHeap } from './module';
import { publishToVariables, readVariables } from './variables';

/**
 * `trainAdapter` for the default backbone on the WebAssembly kernels: the same batches (same random
 * streams), loss, Adam and hooks as the TF.js loop (`trainClassifier`), with the whole step in one
 * kernel instance. The task module's variables hold the result at the end and at every checkpoint,
 * so everything downstream (routers, evaluation, checkpoints) is unchanged.
 */
export async function trainAdapterWithKernels(
  tf: Tf,
  module: TaskModule,
  frozen: Pick<FrozenBackbone, 'plainLayers' | 'plainBert'>,
  data: { readonly x: Float32Array; readonly labels: Int32Array; readonly dim: number },
  spec: AdapterSpec,
  randomForEpoch: (epoch: number) => Random,
  hooks: TrainHooks = {},
  /** A data-parallel helper thread's script: with it, each step's batch is split over two cores. */
  gradientThread?: string,
): Promise<void> {
  const vars = [...adapterVariables(module), ...headVariables(module)];
  let helper: GradientHelper | undefined;
  const heap = new KernelHeap(instantiateKernels());
  const n = data.labels.length;
  const shape = {
    layers: module.adapters.length,
    dim: module.adapters[0]?.down.shape[0] ?? data.dim,
    bottleneck: module.adapters[0]?.down.shape[1] ?? 0,
    classes: module.classes.length,
    batch: spec.batchSize,
  };
  const backbone = plainFrozenOf(frozen);
  if (backbone === undefined) throw new Error('the kernels need the default or the bert backbone');
  const net = new AdapterNet(heap, shape, backbone);
  const optimizer = new FlatAdam(
    tf,
    heap,
    spec.lr,
    vars.map((v) => ({ name: v.name, shape: v.shape })),
    net.layout.size,
  );
  const labels = new Int32Array(spec.batchSize);
  // The helper starts and builds its net while this thread reads the variables and resumes.
  const starting =
    gradientThread === undefined
      ? undefined
      : GradientHelper.start(gradientThread, {
          kind: 'adapter',
          shape: { ...shape, batch: helperBatch(shape.batch) },
          backbone,
          rows: data.x,
          count: n,
        });
  try {
    await runKernelTraining(
      {
        rows: n,
        batchSize: spec.batchSize,
        epochs: spec.epochs,
        randomForEpoch,
        optimizer,
        load: async () => {
          net.setParams(await readVariables(vars));
          net.setRows(data.x, n);
          helper = await starting;
        },
        step: async (idx) => {
          const result = await dataParallelStep(
            heap,
            net,
            helper,
            idx.length,
            (from, to) => {
              const part = idx.subarray(from, to);
              for (let i = 0; i < part.length; i++) labels[i] = data.labels[part[i] ?? 0] ?? 0;
              return net.step(part, labels.subarray(0, part.length));
            },
            (from, to) => {
              const part = idx.slice(from, to);
              return { indices: part, labels: Int32Array.from(part, (i) => data.labels[i] ?? 0) };
            },
          );
          optimizer.step(net.params, net.grads);
          return result;
        },
        publish: () => publishToVariables(tf, vars, net.getParams()),
      },
      hooks,
    );
  } finally {
    (helper ?? (await starting))?.dispose();
    optimizer.dispose();
  }
}
