import { Worker } from 'node:worker_threads';
import { typeScriptWorker } from '../parallel/adapterHelper';
import type {
  EngineToGradientThread,
  ForwardedMessage,
  ForwardMessage,
  GradientsMessage,
  GradientThreadToEngine,
  NetRecipe,
  StepMessage,
} from './gradientProtocol';

type Reply = GradientsMessage | ForwardedMessage;

/**
 * The engine's side of one data-parallel helper thread: the thread builds the same net, and each
 * step differentiates part of the batch while the engine's thread does the rest. One wasm instance
 * computes on one core (FACTS.md), so this is how one training job uses two.
 */
export class GradientHelper {
  private waiting: { resolve(m: Reply): void; reject(e: Error): void } | undefined;
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: GradientThreadToEngine) => {
      if (m.kind === 'gradients' || m.kind === 'forwarded') this.settle((w) => w.resolve(m));
      else if (m.kind === 'failed') this.fail(new Error(m.message));
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`the gradient thread exited (code ${code})`)));
    worker.unref();
  }

  /** A helper with the net built, or undefined (and nothing running) if the thread could not start. */
  static async start(script: string, recipe: NetRecipe): Promise<GradientHelper | undefined> {
    let worker: Worker;
    try {
      worker = script.endsWith('.ts') ? typeScriptWorker(script) : new Worker(script);
    } catch {
      return undefined;
    }
    const ready = await new Promise<boolean>((resolve) => {
      worker.once('message', (m: GradientThreadToEngine) => resolve(m.kind === 'ready'));
      worker.once('error', () => resolve(false));
      worker.once('exit', () => resolve(false));
      const init: EngineToGradientThread = { kind: 'init', recipe };
      worker.postMessage(init);
    });
    if (!ready) {
      void worker.terminate();
      return undefined;
    }
    return new GradientHelper(worker);
  }

  /** The gradients of the rows in `message`, computed in the thread. */
  async step(message: Omit<StepMessage, 'kind'>): Promise<GradientsMessage> {
    const reply = await this.request({ kind: 'step', ...message });
    if (reply.kind !== 'gradients') throw new Error(`the gradient thread answered ${reply.kind} to a step`);
    return reply;
  }

  /** An inference net's outputs for the rows in `message`, computed in the thread. */
  async forward(message: Omit<ForwardMessage, 'kind'>): Promise<ForwardedMessage> {
    const reply = await this.request({ kind: 'forward', ...message });
    if (reply.kind !== 'forwarded')
      throw new Error(`the gradient thread answered ${reply.kind} to a forward`);
    return reply;
  }

  private request(message: EngineToGradientThread): Promise<Reply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      // While a reply is awaited the thread must keep Node alive (nothing else may: a script or a
      // test has no other handle); idle, it must not.
      this.worker.ref();
      this.worker.postMessage(message);
    });
  }

  dispose(): void {
    void this.worker.terminate();
  }

  private settle(f: (w: { resolve(m: Reply): void; reject(e: Error): void }) => void): void {
    const w = this.waiting;
    this.waiting = undefined;
    this.worker.unref();
    if (w !== undefined) f(w);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.settle((w) => w.reject(error));
  }
}

let parallelSteps = 0;

/** How many steps this process has split over two threads (benchmarks and tests read it). */
export function parallelStepCount(): number {
  return parallelSteps;
}

/** A net's flat parameter and gradient buffers in a kernel heap. */
export interface FlatNet {
  readonly params: number;
  readonly grads: number;
  readonly paramCount: number;
}

/**
 * One optimiser step's gradients, data-parallel when a helper is there: the helper takes the second
 * half of the batch (sent with the current parameters), this thread the first, and the two
 * mean-loss gradients are combined weighted by their rows, into `net.grads`. `local(from, to)`
 * differentiates rows [from, to) here; `remote(from, to)` says what the helper needs for them.
 * Should the helper fail, this thread computes the whole batch (and every later one).
 */
export async function dataParallelStep(
  heap: { f32(ptr: number, count: number): Float32Array },
  net: FlatNet,
  helper: GradientHelper | undefined,
  count: number,
  local: (from: number, to: number) => { loss: number; correct: number },
  remote: (from: number, to: number) => Omit<StepMessage, 'kind' | 'params'>,
): Promise<{ loss: number; correct: number; parallel: boolean }> {
  if (helper === undefined || count < 2) return { ...local(0, count), parallel: false };
  const split = Math.ceil(count / 2);
  const pending = helper.step({
    params: heap.f32(net.params, net.paramCount).slice(),
    ...remote(split, count),
  });
  // A rejection while this thread computes is handled below, not left unhandled.
  pending.catch(() => undefined);
  const mine = local(0, split);
  let theirs: GradientsMessage;
  try {
    theirs = await pending;
  } catch {
    return { ...local(0, count), parallel: false };
  }
  const a = split / count;
  const b = (count - split) / count;
  const grads = heap.f32(net.grads, net.paramCount);
  for (let i = 0; i < grads.length; i++) grads[i] = a * grads[i]! + b * theirs.grads[i]!;
  parallelSteps++;
  return { loss: a * mine.loss + b * theirs.loss, correct: mine.correct + theirs.correct, parallel: true };
}
