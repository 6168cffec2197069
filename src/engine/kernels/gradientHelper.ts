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
 * Threads between jobs, per script: a job's helper goes back here when the job ends and the next job
 * (the next task's adapters, the routers, an evaluation) takes it, so a thread's start and its wasm
 * module's warm-up (each kernel's first calls run unoptimised until V8 tiers it up) are paid once per
 * process, not once per job. Idle threads hold no net and no reference that keeps Node alive, and end
 * after IDLE_MS.
 */
const IDLE_MS = 30_000;
const MAX_IDLE = 2;

/** An idle thread and how to stop watching it (its exit removes it from the list). */
interface Idle {
  readonly worker: Worker;
  readonly unwatch: () => void;
}
const idleThreads = new Map<string, Idle[]>();

function takeIdle(script: string): Worker | undefined {
  const entry = idleThreads.get(script)?.pop();
  entry?.unwatch();
  return entry?.worker;
}

function putIdle(script: string, worker: Worker): void {
  worker.unref();
  const list = idleThreads.get(script) ?? [];
  if (list.length >= MAX_IDLE) {
    void worker.terminate();
    return;
  }
  idleThreads.set(script, list);
  // Only this module's own listeners are ever removed: a Worker's internal ones must stay.
  const forget = (): void => {
    const at = list.findIndex((e) => e.worker === worker);
    if (at >= 0) list.splice(at, 1);
  };
  // Ends the thread after IDLE_MS, and on an error while idle (none is expected; it must not go unhandled).
  const end = (): void => {
    forget();
    void worker.terminate();
  };
  const timer = setTimeout(end, IDLE_MS);
  timer.unref();
  worker.once('exit', forget);
  worker.once('error', end);
  list.push({
    worker,
    unwatch: () => {
      clearTimeout(timer);
      worker.off('exit', forget);
      worker.off('error', end);
    },
  });
}

/** Sends `init` and waits for `ready` (false if the thread failed or ended instead). */
function initialise(worker: Worker, recipe: NetRecipe): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onError);
      resolve(ok);
    };
    const onMessage = (m: GradientThreadToEngine): void => done(m.kind === 'ready');
    const onError = (): void => done(false);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onError);
    const init: EngineToGradientThread = { kind: 'init', recipe };
    // An idle thread is unreferenced; while it builds, it must keep Node alive (the helper unrefs it).
    worker.ref();
    worker.postMessage(init);
  });
}

/**
 * The engine's side of one data-parallel helper thread: the thread builds the same net, and each
 * step differentiates part of the batch while the engine's thread does the rest. One wasm instance
 * computes on one core (FACTS.md), so this is how one training job uses two.
 */
export class GradientHelper {
  private waiting: { resolve(m: Reply): void; reject(e: Error): void } | undefined;
  private failure: Error | undefined;
  private disposed = false;

  private readonly onMessage = (m: GradientThreadToEngine): void => {
    if (m.kind === 'gradients' || m.kind === 'forwarded') this.settle((w) => w.resolve(m));
    else if (m.kind === 'failed') this.fail(new Error(m.message));
  };
  private readonly onError = (e: Error): void => this.fail(e);
  private readonly onExit = (code: number): void =>
    this.fail(new Error(`the gradient thread exited (code ${code})`));

  private constructor(
    private readonly script: string,
    private readonly worker: Worker,
  ) {
    worker.on('message', this.onMessage);
    worker.on('error', this.onError);
    worker.on('exit', this.onExit);
    worker.unref();
  }

  /**
   * A helper with the net built (on an idle thread when there is one), or undefined (and nothing
   * running) if no thread could start.
   */
  static async start(script: string, recipe: NetRecipe): Promise<GradientHelper | undefined> {
    const reused = takeIdle(script);
    if (reused !== undefined && (await initialise(reused, recipe))) return new GradientHelper(script, reused);
    if (reused !== undefined) void reused.terminate();
    let worker: Worker;
    try {
      worker = script.endsWith('.ts') ? typeScriptWorker(script) : new Worker(script);
    } catch {
      return undefined;
    }
    if (!(await initialise(worker, recipe))) {
      void worker.terminate();
      return undefined;
    }
    return new GradientHelper(script, worker);
  }

  /** The thread's id (tests check that a later job reuses it). */
  get threadId(): number {
    return this.worker.threadId;
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

  /** Ends the job: the thread drops its net and waits idle for the next job (or ends, if it failed). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.failure !== undefined || this.waiting !== undefined) {
      void this.worker.terminate();
      return;
    }
    this.worker.off('message', this.onMessage);
    this.worker.off('error', this.onError);
    this.worker.off('exit', this.onExit);
    const release: EngineToGradientThread = { kind: 'release' };
    this.worker.postMessage(release);
    putIdle(this.script, this.worker);
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

/**
 * The most rows of a batch of `batch` that a helper receives (dataParallelStep and inference give it
 * the second half): its net is built for that many, which halves the helper's memory and the pages
 * it first touches.
 */
export function helperBatch(batch: number): number {
  return Math.max(1, Math.floor(batch / 2));
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
