import { mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { ProgressEvent, RunEvent } from '../../protocol/events';
import { RUN_FILES, runFolderName } from '../../protocol/runFolder';
import type { BackendPreference, ExperimentSpec } from '../../protocol/spec';
import { readConfig } from '../config';
import type { Log } from '../log';
import type { RunStore } from './runStore';
import { WorkerSession } from './workerSession';
import type { SessionEnd } from './workerSession';
import type { LiveRunState } from './liveRunState';

export interface StartOptions {
  readonly backend?: BackendPreference;
  readonly seeds?: readonly number[];
}

/**
 * Starts, stops and resumes runs: one WorkerSession per run, several at once up to the configured
 * limit. Each session is its own cleanup scope, disposed when its worker ends.
 */
export class RunManager implements vscode.Disposable {
  private readonly sessions = new Map<string, { session: WorkerSession; state: LiveRunState }>();
  private readonly changeEmitter = new vscode.EventEmitter<LiveRunState | undefined>();
  private readonly eventEmitter = new vscode.EventEmitter<{ runDir: string; event: RunEvent }>();

  /** Fires when a live run's state changes (undefined: the set of live runs changed). */
  readonly onDidChange = this.changeEmitter.event;
  /** Every event of every live run, for panels and tests. */
  readonly onEvent = this.eventEmitter.event;

  constructor(
    private readonly workerScript: string,
    private readonly store: RunStore,
    private readonly log: Log,
  ) {}

  live(): readonly LiveRunState[] {
    return [...this.sessions.values()].map((s) => s.state);
  }

  isLive(runDir: string): boolean {
    return this.sessions.has(runDir);
  }

  /** Starts a new run of `spec`; resolves with the run folder once the worker is launched. */
  async start(spec: ExperimentSpec, options: StartOptions = {}): Promise<string> {
    const config = readConfig(vscode.Uri.file(spec.sourceFile));
    const base =
      config.outputFolder === '' ? spec.output : resolveFrom(dirname(spec.sourceFile), config.outputFolder);
    const runDir = join(base, runFolderName(new Date(), spec.name));
    await mkdir(runDir, { recursive: true });
    this.launch(spec, runDir, false, options);
    return runDir;
  }

  /** Resumes the run in `runDir` from its last completed unit, with the spec it started with. */
  async resume(runDir: string, options: StartOptions = {}): Promise<void> {
    if (this.sessions.has(runDir)) throw new Error('This run is already running.');
    let spec: ExperimentSpec;
    try {
      spec = JSON.parse(await readFile(join(runDir, RUN_FILES.spec), 'utf8')) as ExperimentSpec;
    } catch {
      throw new Error(
        `Cannot resume: ${join(runDir, RUN_FILES.spec)} is missing or unreadable. Start a new run instead.`,
      );
    }
    this.launch(spec, runDir, true, options);
  }

  stop(runDir: string): boolean {
    const entry = this.sessions.get(runDir);
    if (entry === undefined) return false;
    entry.session.cancel();
    return true;
  }

  /** Waits for a live run to end (tests and the notification use it). */
  async whenEnded(runDir: string): Promise<SessionEnd | undefined> {
    return this.sessions.get(runDir)?.session.ended$;
  }

  private launch(spec: ExperimentSpec, runDir: string, resume: boolean, options: StartOptions): void {
    const config = readConfig(vscode.Uri.file(spec.sourceFile));
    if (this.sessions.size >= config.maxConcurrentRuns) {
      throw new Error(
        `${this.sessions.size} runs are already running (the limit is "l2r.runs.maxConcurrent" = ${config.maxConcurrentRuns}). Stop one or raise the limit.`,
      );
    }
    const session = new WorkerSession(
      this.workerScript,
      {
        kind: 'start',
        spec,
        runDir,
        resume,
        backend: options.backend ?? (config.backend === 'auto' ? spec.backend : config.backend),
        seeds: options.seeds,
        progressIntervalMs: Math.round(1000 / config.progressUpdatesPerSecond),
        threads: config.workerThreads,
      },
      { memoryMb: config.workerMemoryMb, log: (line) => this.log.info(`[worker] ${line}`) },
    );
    const state: LiveRunState = { runDir, stream: spec.name, unitsDone: 0, totalUnits: 0 };
    this.sessions.set(runDir, { session, state });
    this.log.info(`${resume ? 'resuming' : 'starting'} run ${runDir} (worker pid ${session.pid ?? '?'})`);
    session.onBackend((backend) => {
      state.backend = backend;
      this.log.info(`run ${runDir}: compute backend ${backend}`);
      this.changeEmitter.fire(state);
    });
    session.onEvent((event) => {
      accumulate(state, event);
      if (event.type === 'log') this.log.info(`[run] ${event.message}`);
      this.eventEmitter.fire({ runDir, event });
      this.changeEmitter.fire(state);
    });
    this.store.track(runDir);
    this.changeEmitter.fire(undefined);
    void session.ended$.then((end) => {
      this.sessions.delete(runDir);
      session.dispose();
      this.log.info(`run ${runDir} ended: ${end.kind}${end.kind === 'failed' ? ` (${end.message})` : ''}`);
      if (end.kind === 'failed' && end.detail !== undefined && end.detail !== '') this.log.error(end.detail);
      void this.store.refreshOne(runDir);
      this.changeEmitter.fire(undefined);
    });
  }

  dispose(): void {
    // Workers keep their run folders consistent at every unit; a reload shows them as resumable.
    for (const { session } of this.sessions.values()) session.dispose();
    this.sessions.clear();
    this.changeEmitter.dispose();
    this.eventEmitter.dispose();
  }
}

function resolveFrom(base: string, path: string): string {
  return isAbsolute(path) ? path : join(base, path);
}

/** Folds one event into the live state; progress is accumulated here, on the receiving side. */
function accumulate(state: LiveRunState, event: RunEvent): void {
  switch (event.type) {
    case 'run-started':
      state.backend = event.backend;
      state.totalUnits = event.totalUnits;
      break;
    case 'phase':
      state.phase = event.phase;
      state.task = event.task;
      state.taskIndex = event.taskIndex;
      state.taskCount = event.taskCount;
      break;
    case 'progress':
    case 'epoch-end':
      applyProgress(state, event);
      break;
    default:
      break;
  }
}

function applyProgress(state: LiveRunState, event: ProgressEvent | (RunEvent & { type: 'epoch-end' })): void {
  state.phase = event.phase;
  state.task = event.task ?? state.task;
  state.epoch = event.epoch;
  state.epochs = event.epochs;
  state.unitsDone = event.unitsDone;
  state.totalUnits = event.totalUnits;
  if (event.type === 'progress') state.etaSeconds = event.etaSeconds;
}
