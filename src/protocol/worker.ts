/**
 * The worker <-> host boundary: messages between a host (the extension host or the CLI) and one
 * training worker process (`dist/worker.js`, started with `child_process.fork`, one per run).
 * Messages travel over Node's IPC channel as structured clones of plain objects.
 */
import type { RunEvent } from './events';
import type { BackendName, BackendPreference, ExperimentSpec, KernelChoice } from './spec';

/** Sent by the host: start (or resume) a run in `runDir`. Sent once, right after fork. */
export interface StartRunMessage {
  readonly kind: 'start';
  readonly spec: ExperimentSpec;
  /** Absolute path of the run folder (created by the worker when missing). */
  readonly runDir: string;
  /** Continue from the last completed unit found in `runDir`. */
  readonly resume: boolean;
  /** Overrides `spec.backend` for this run. */
  readonly backend?: BackendPreference;
  /** Run only these seeds of the spec's sweep. */
  readonly seeds?: readonly number[];
  /** Minimum interval between forwarded `progress` events, in milliseconds (default 250). */
  readonly progressIntervalMs?: number;
  /**
   * Threads that train isolated adapters, the worker's own included (wasm/cpu backends). 1: all in
   * the worker's thread. Default: the machine's cores, at most 4.
   */
  readonly threads?: number;
  /** Default `auto`: see KernelChoice. */
  readonly kernels?: KernelChoice;
}

/** Sent by the host: stop at the next step boundary; what is completed stays on disk. */
export interface CancelRunMessage {
  readonly kind: 'cancel';
}

export type HostToWorkerMessage = StartRunMessage | CancelRunMessage;

/** Sent by the worker once its IPC channel is up, before `start` arrives. */
export interface WorkerReadyMessage {
  readonly kind: 'ready';
  readonly pid: number;
}

/** Sent by the worker once it has chosen a compute backend (gpu -> node -> wasm -> cpu). */
export interface WorkerBackendMessage {
  readonly kind: 'backend';
  readonly backend: BackendName;
  /** Why the faster backends were skipped, one line each, for the output channel. */
  readonly skipped: readonly string[];
}

/** Sent by the worker for each run event (progress throttled to `progressIntervalMs`). */
export interface WorkerEventMessage {
  readonly kind: 'event';
  readonly event: RunEvent;
}

/** Sent by the worker when the run has finished and every file is written. Last message. */
export interface WorkerCompletedMessage {
  readonly kind: 'completed';
  readonly runDir: string;
}

/** Sent by the worker when the run cannot continue. Last message; the run folder keeps what was done. */
export interface WorkerFailedMessage {
  readonly kind: 'failed';
  readonly message: string;
  readonly detail?: string;
}

/** Sent by the worker after honouring `cancel`. Last message. */
export interface WorkerCancelledMessage {
  readonly kind: 'cancelled';
  readonly runDir: string;
}

export type WorkerToHostMessage =
  | WorkerReadyMessage
  | WorkerBackendMessage
  | WorkerEventMessage
  | WorkerCompletedMessage
  | WorkerFailedMessage
  | WorkerCancelledMessage;

export function isWorkerToHostMessage(value: unknown): value is WorkerToHostMessage {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return (
    kind === 'ready' ||
    kind === 'backend' ||
    kind === 'event' ||
    kind === 'completed' ||
    kind === 'failed' ||
    kind === 'cancelled'
  );
}

export function isHostToWorkerMessage(value: unknown): value is HostToWorkerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'start' || kind === 'cancel';
}
