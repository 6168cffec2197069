/**
 * A data-parallel helper of the kernels (bundled as dist/gradientThread.js): builds the engine's net
 * from its recipe in this thread's own kernel instance, then each step takes the parameters and its
 * share of the batch and answers with that share's gradients; an inference net answers each batch
 * share with its outputs. No TF.js here.
 */
import { parentPort } from 'node:worker_threads';
import { AdapterNet } from './adapterNet';
import { ComposedNet } from './composedNet';
import type { EngineToGradientThread, GradientThreadToEngine, NetRecipe } from './gradientProtocol';
import { instantiateKernels, KernelHeap } from './module';
import { RouterNet } from './routerNet';

interface Net {
  readonly params: number;
  readonly grads: number;
  readonly paramCount: number;
}

let heap: KernelHeap | undefined;
let net: Net | undefined;
let step:
  ((m: Extract<EngineToGradientThread, { kind: 'step' }>) => { loss: number; correct: number }) | undefined;

let composed: ComposedNet | undefined;

/** Between jobs: nothing of the last job's net stays reachable (its wasm memory is freed). */
function dropNet(): void {
  heap = undefined;
  net = undefined;
  step = undefined;
  composed = undefined;
}

function build(recipe: NetRecipe): void {
  const h = new KernelHeap(instantiateKernels());
  heap = h;
  if (recipe.kind === 'composed') {
    composed = new ComposedNet(
      h,
      recipe.backbone,
      recipe.modules,
      recipe.dim,
      recipe.bottleneck,
      recipe.batch,
    );
    return;
  }
  if (recipe.kind === 'adapter') {
    const adapterNet = new AdapterNet(h, recipe.shape, recipe.backbone);
    adapterNet.setRows(recipe.rows, recipe.count);
    net = adapterNet;
    step = (m) => adapterNet.step(m.indices, m.labels);
    return;
  }
  const routerNet = new RouterNet(
    h,
    recipe.backbone,
    recipe.modules,
    recipe.routers,
    recipe.options,
    recipe.anchors,
  );
  routerNet.setRows(recipe.rows, recipe.count);
  net = routerNet;
  step = (m) => routerNet.step(m.indices, m.labels, m.tasks ?? new Int32Array(m.indices.length), m.noise);
}

function post(message: GradientThreadToEngine, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(message, transfer);
}

parentPort?.on('message', (message: EngineToGradientThread) => {
  try {
    if (message.kind === 'release') {
      dropNet();
      return;
    }
    if (message.kind === 'init') {
      dropNet();
      build(message.recipe);
      post({ kind: 'ready' });
      return;
    }
    if (message.kind === 'forward') {
      if (composed === undefined) throw new Error('no inference net yet');
      const out = composed.predict(
        message.rows,
        message.count,
        message.scorer,
        message.composition,
        message.til,
      );
      const buffers = [out.logits.buffer, out.scores.buffer];
      if (out.tilLogits !== undefined) buffers.push(out.tilLogits.buffer);
      post({ kind: 'forwarded', ...out }, buffers as ArrayBuffer[]);
      return;
    }
    if (heap === undefined || net === undefined || step === undefined) throw new Error('no net yet');
    heap.f32(net.params, net.paramCount).set(message.params);
    const result = step(message);
    const grads = heap.f32(net.grads, net.paramCount).slice();
    post({ kind: 'gradients', grads, loss: result.loss, correct: result.correct }, [grads.buffer]);
  } catch (error) {
    post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
});
