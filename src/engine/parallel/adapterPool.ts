import type { RunEvent } from '../../protocol/events';
import type { BackendName, ExperimentSpec } from '../../protocol/spec';
import type { Checkpoints } from '../run/checkpoint';
import type { PreparedTask } from '../run/prepared';
import type { Tf, Variable } from '../tf';
import { Cancelled } from '../train/hooks';
import type { TrainHooks } from '../train/hooks';
import { AdapterHelper } from './adapterHelper';
import type { AdapterThreadPaths } from './adapterHelper';
import { assignValues } from './values';

/** The checkpoint unit of a task's isolated adapters (the engine's naming). */
export function adapterUnit(seed: number, order: string, task: string): string {
  return `s${seed}-${order}-adapter-${task}`;
}

/**
 * Helper threads that train tasks' isolated adapters while the engine trains others. Tasks are
 * dealt to lanes by position in their order (lane 0, the engine itself, takes tasks 0, k+1, ...;
 * helper j takes tasks j+1, j+1+(k+1), ...), and every order of a seed is dealt at once, so helpers
 * run ahead into the next order while the engine trains routers and baselines.
 */
export class AdapterPool {
  private constructor(
    private readonly helpers: readonly AdapterHelper[],
    private readonly checkpoints: Checkpoints,
    private readonly backend: 'wasm' | 'cpu',
    private readonly wasmDir: string,
    private readonly kernels: boolean,
  ) {}

  /**
   * A pool of `threads - 1` helpers, or undefined when helpers cannot help: one thread, a native
   * backend (it already uses every core), a token backbone (it would load its checkpoint again per
   * thread), or a single task.
   */
  static create(
    spec: ExperimentSpec,
    backend: BackendName,
    /** Whether adapters train on the WebAssembly kernels (kernels/select.ts), as in the engine's thread. */
    kernels: boolean,
    threads: number,
    paths: AdapterThreadPaths | undefined,
    checkpoints: Checkpoints,
  ): AdapterPool | undefined {
    const count = Math.min(threads, spec.tasks.length) - 1;
    if (paths === undefined || count < 1 || spec.backbone.type === 'bert') return undefined;
    if (backend !== 'wasm' && backend !== 'cpu') return undefined;
    const helpers = Array.from({ length: count }, () => new AdapterHelper(paths, checkpoints));
    return new AdapterPool(helpers, checkpoints, backend, paths.wasmDir, kernels);
  }

  /**
   * Deals every order of a seed to the lanes. Units already complete, or checkpointed mid-way (a
   * resumed run), stay with the engine: they resume from their checkpoint.
   */
  submitSeed(
    spec: ExperimentSpec,
    seed: number,
    tasks: ReadonlyMap<string, PreparedTask>,
    width: number,
  ): void {
    const backbone = spec.backbone;
    if (backbone.type === 'bert') return;
    const lanes = this.helpers.length + 1;
    spec.orders.forEach((order, orderKey) =>
      order.tasks.forEach((name, t) => {
        const unit = adapterUnit(seed, order.name, name);
        const task = tasks.get(name);
        const helper = this.helpers[(t % lanes) - 1];
        if (helper === undefined || task === undefined) return;
        if (this.checkpoints.has(unit) || this.checkpoints.lastEpoch(unit) !== undefined) return;
        helper.submit({
          unit,
          backend: this.backend,
          wasmDir: this.wasmDir,
          kernels: this.kernels,
          seed,
          orderKey,
          taskIndex: t,
          task: name,
          classes: task.data.classes,
          layers: backbone.layers,
          dim: backbone.dim,
          adapter: spec.adapter,
          x: task.train,
          width,
          labels: task.data.train.labels,
        });
      }),
    );
  }

  /**
   * Claims a task a helper trained: its weights go into `vars` and the unit is recorded complete.
   * False when no helper has it, or the helper failed on it (then the engine trains it, after
   * saying so in the log).
   */
  /** True while any helper trains or has queued adapters (then the cores are taken). */
  get busy(): boolean {
    return this.helpers.some((h) => h.busy);
  }

  async take(
    tf: Tf,
    unit: string,
    vars: readonly Variable[],
    hooks: TrainHooks,
    log: (level: 'info' | 'warn', message: string) => void,
  ): Promise<boolean> {
    const helper = this.helpers.find((h) => h.has(unit));
    if (helper === undefined) return false;
    try {
      assignValues(tf, vars, await helper.take(unit, hooks));
    } catch (error) {
      if (error instanceof Cancelled) throw error;
      log('warn', `${(error as Error).message}; training ${unit} in the main thread instead.`);
      return false;
    }
    await this.checkpoints.complete(unit, vars);
    log('info', `${unit}: trained in an adapter thread.`);
    return true;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.helpers.map((h) => h.dispose()));
  }
}

/** A log line as a run event. */
export function logEvent(level: 'info' | 'warn', message: string): RunEvent {
  return { type: 'log', time: Date.now(), level, message };
}
