import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type {
  AdapterThreadToEngine,
  EngineToAdapterThread,
  TrainAdapterJob,
} from '../../protocol/adapterThread';
import type { Checkpoints } from '../run/checkpoint';
import { Cancelled } from '../train/hooks';
import type { TrainHooks } from '../train/hooks';

/** Where the adapter thread's script and the wasm binaries are (the host knows its own layout). */
export interface AdapterThreadPaths {
  /** dist/adapterThread.js when bundled; src/engine/parallel/adapterThread.ts under tsx. */
  readonly script: string;
  readonly wasmDir: string;
  /**
   * The kernels' data-parallel helper (dist/gradientThread.js; src/engine/kernels/gradientThread.ts
   * under tsx): with it, a training job that runs alone (routers, or adapters when no other task
   * trains beside them) splits each batch over two cores.
   */
  readonly gradientScript?: string;
}

type Progress = Extract<AdapterThreadToEngine, { kind: 'step' | 'epoch' }>;

/** One job handed to the thread: its progress so far, and its result once it arrives. */
interface Pending {
  readonly backlog: Progress[];
  hooks?: TrainHooks;
  /** Epoch checkpoints being written; the result waits for them, so the state file stays ordered. */
  saving: Promise<void>;
  readonly result: Promise<Float32Array>;
  resolve(values: Float32Array): void;
  reject(error: Error): void;
}

/**
 * One helper thread that trains isolated adapters while the engine trains others: isolated
 * training of different tasks is independent, so two run at once on two cores. Its epoch
 * checkpoints are written to the run folder as they arrive (a stop loses at most an epoch); its
 * progress is held until the engine reaches that task, then replayed, so the event log reads as if
 * the tasks had trained one after another.
 */
export class AdapterHelper {
  private readonly worker: Worker;
  private readonly pending = new Map<string, Pending>();
  private failure: Error | undefined;
  /** Jobs submitted whose result has not arrived: while any is, the thread is computing. */
  private running = 0;

  /** True while the thread trains (or has queued) a task. */
  get busy(): boolean {
    return this.running > 0 && this.failure === undefined;
  }

  constructor(
    paths: AdapterThreadPaths,
    private readonly checkpoints: Checkpoints,
  ) {
    this.worker = paths.script.endsWith('.ts') ? typeScriptWorker(paths.script) : new Worker(paths.script);
    this.worker.on('message', (message: AdapterThreadToEngine) => this.receive(message));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`the adapter thread exited (code ${code})`)));
    // The engine may finish without waiting on the thread (e.g. it stopped): never keep Node alive for it.
    this.worker.unref();
  }

  /** Hands a task to the thread; its result is claimed later with `take`. */
  submit(job: Omit<TrainAdapterJob, 'kind'>): void {
    let resolve: (values: Float32Array) => void = () => undefined;
    let reject: (error: Error) => void = () => undefined;
    const result = new Promise<Float32Array>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A job that fails before it is claimed must not be an unhandled rejection.
    result.catch(() => undefined);
    this.pending.set(job.unit, { backlog: [], saving: Promise.resolve(), result, resolve, reject });
    if (this.failure !== undefined) {
      reject(this.failure);
      return;
    }
    this.running++;
    this.send({ kind: 'train', ...job });
  }

  has(unit: string): boolean {
    return this.pending.has(unit);
  }

  /**
   * Waits for a submitted task: replays its progress to `hooks` so far and forwards the rest live;
   * resolves with its trained variables (adapters, then head) once its checkpoints are on disk.
   * Rejects with Cancelled when `hooks.shouldStop` turns true while waiting.
   */
  async take(unit: string, hooks: TrainHooks): Promise<Float32Array> {
    const job = this.pending.get(unit);
    if (job === undefined) throw new Error(`no adapter job ${unit}`);
    job.hooks = hooks;
    for (const message of job.backlog.splice(0)) await this.forward(job, message);
    let timer: NodeJS.Timeout | undefined;
    const stopped = new Promise<never>((_, reject) => {
      timer = setInterval(() => {
        if (hooks.shouldStop?.() === true) reject(new Cancelled());
      }, 50);
    });
    try {
      const values = await Promise.race([job.result, stopped]);
      await job.saving;
      // A stop asked for at any point before the claim wins over a result that came in meanwhile.
      if (hooks.shouldStop?.() === true) throw new Cancelled();
      // Claimed: forgotten. A job that failed or was stopped stays, so dispose waits for its saves.
      this.pending.delete(unit);
      return values;
    } finally {
      clearInterval(timer);
    }
  }

  /** Stops the thread (at its next step) and ends it, after the checkpoints it sent are on disk. */
  async dispose(): Promise<void> {
    this.send({ kind: 'stop' });
    await this.worker.terminate();
    await Promise.allSettled([...this.pending.values()].map((job) => job.saving));
  }

  private send(message: EngineToAdapterThread): void {
    this.worker.postMessage(message);
  }

  private receive(message: AdapterThreadToEngine): void {
    const job = this.pending.get(message.unit);
    if (job === undefined) return;
    if (message.kind === 'done' || message.kind === 'failed') this.running = Math.max(0, this.running - 1);
    if (message.kind === 'done') job.resolve(message.values);
    else if (message.kind === 'failed')
      job.reject(new Error(`training ${message.unit} in the adapter thread failed: ${message.message}`));
    else {
      if (message.kind === 'epoch')
        job.saving = job.saving.then(() =>
          this.checkpoints.saveEpochValues(
            message.unit,
            message.epoch,
            message.checkpoint,
            message.optimizer,
          ),
        );
      if (job.hooks === undefined) job.backlog.push(message);
      else void this.forward(job, message);
    }
  }

  private async forward(job: Pending, message: Progress): Promise<void> {
    if (message.kind === 'step') {
      const { kind: _kind, unit: _unit, ...step } = message;
      job.hooks?.onStep?.(step);
    } else
      await job.hooks?.onEpoch?.({
        epoch: message.epoch,
        epochs: message.epochs,
        loss: message.loss,
        trainAccuracy: message.trainAccuracy,
        examplesPerSecond: message.examplesPerSecond,
      });
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const job of this.pending.values()) job.reject(this.failure);
  }
}

/**
 * From sources (tests, benchmarks) the thread is TypeScript. A worker does not inherit the tsx loader
 * that `node --import tsx` gave this thread, so the worker loads the script through tsx's API.
 */
/** A worker thread running a TypeScript entry through tsx (tests and benches run from source). */
export function typeScriptWorker(script: string): Worker {
  // tsx's ESM entry (resolving 'tsx/esm/api' from here picks its CommonJS one).
  const tsx = join(
    dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
    'dist',
    'esm',
    'api',
    'index.mjs',
  );
  const url = (path: string): string => JSON.stringify(pathToFileURL(path).href);
  return new Worker(`import(${url(tsx)}).then((tsx) => tsx.tsImport(${url(script)}, ${url(script)}))`, {
    eval: true,
  });
}
