import type { RouterSpec } from '../../protocol/spec';
import type { RouterLayer, TaskModule } from '../model/params';
import { headVariables, routerVariables } from '../model/params';
import type { Random } from '../random';
import type { Tf } from '../tf';
import type { TrainHooks } from '../train/hooks';
import type { MemoryBatchSource } from '../train/trainRouter';
import { FlatAdam } from './flatAdam';
import { dataParallelStep, GradientHelper, helperBatch } from './gradientHelper';
import { runKernelTraining } from './loop';
import { instantiateKernels, KernelHeap } from './module';
import type { PlainFrozen } from './composedNet';
import type { RouterNetOptions } from './routerNet';
import { RouterNet } from './routerNet';
import { publishToVariables, readPlainModules, readPlainRouter, readVariables } from './variables';

/**
 * `trainRouter` for the default backbone on the WebAssembly kernels: the same rows, batches, noise
 * draws (same random streams), losses and hooks as the TF.js path; the routers (and tuned heads)
 * hold the result at the end and at every checkpoint.
 */
export async function trainRouterWithKernels(
  tf: Tf,
  modules: readonly TaskModule[],
  backbone: PlainFrozen,
  router: readonly RouterLayer[],
  memory: MemoryBatchSource,
  spec: RouterSpec,
  epochs: number,
  randomForEpoch: (epoch: number) => Random,
  noiseFor: (count: number, random: Random) => Float32Array,
  hooks: TrainHooks,
  isolatedHeads?: readonly Float32Array[][],
  /** A data-parallel helper thread's script: with it, each step's batch is split over two cores. */
  gradientThread?: string,
): Promise<void> {
  let helper: GradientHelper | undefined;
  const vars = [...routerVariables(router), ...(spec.tuneHeads ? modules.flatMap(headVariables) : [])];
  const plain = await readPlainModules(modules);
  const routers = await readPlainRouter(router);
  const heap = new KernelHeap(instantiateKernels());
  const options: RouterNetOptions = {
    dim: modules[0]?.adapters[0]?.down.shape[0] ?? memory.dim,
    bottleneck: modules[0]?.adapters[0]?.down.shape[1] ?? 0,
    batch: spec.batchSize,
    activation: spec.activation,
    temperature: spec.temperature,
    tuneHeads: spec.tuneHeads,
    taskSupervision: spec.taskSupervision,
    headAnchor: spec.headAnchor,
  };
  const net = new RouterNet(heap, backbone, plain, routers, options, isolatedHeads);
  const optimizer = new FlatAdam(
    tf,
    heap,
    spec.lr,
    vars.map((v) => ({ name: v.name, shape: v.shape })),
    net.size,
  );
  const n = memory.unionLabels.length;
  const layers = backbone.kind === 'vector' ? backbone.layers.length : backbone.bert.layers.length;
  const noisy = spec.activation === 'gumbel-sigmoid';
  const labels = new Int32Array(spec.batchSize);
  const tasks = new Int32Array(spec.batchSize);
  // The helper starts and computes its own layer-0 cache while this thread computes this one.
  const starting =
    gradientThread === undefined
      ? undefined
      : GradientHelper.start(gradientThread, {
          kind: 'router',
          backbone,
          modules: plain,
          routers,
          options: { ...options, batch: helperBatch(options.batch) },
          ...(isolatedHeads !== undefined ? { anchors: isolatedHeads } : {}),
          rows: memory.x,
          count: n,
        });
  try {
    await runKernelTraining(
      {
        rows: n,
        batchSize: spec.batchSize,
        epochs,
        randomForEpoch,
        optimizer,
        load: async () => {
          net.setParams(await readVariables(vars));
          net.setRows(memory.x, n);
          helper = await starting;
        },
        step: async (idx, random) => {
          const count = idx.length;
          const T = modules.length;
          // Drawn per layer in the order the TF.js path draws them (trainRouter's extras).
          const noise = noisy ? Array.from({ length: layers }, () => noiseFor(count * T, random)) : undefined;
          for (let i = 0; i < count; i++) {
            labels[i] = memory.unionLabels[idx[i] ?? 0] ?? 0;
            tasks[i] = memory.tasks[idx[i] ?? 0] ?? 0;
          }
          const rowsOf = (from: number, to: number) => ({
            labels: labels.slice(from, to),
            tasks: tasks.slice(from, to),
            noise: noise?.map((layer) => layer.slice(from * T, to * T)),
          });
          const result = await dataParallelStep(
            heap,
            net,
            helper,
            count,
            (from, to) => {
              const part = rowsOf(from, to);
              return net.step(idx.subarray(from, to), part.labels, part.tasks, part.noise);
            },
            (from, to) => ({ indices: idx.slice(from, to), ...rowsOf(from, to) }),
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
