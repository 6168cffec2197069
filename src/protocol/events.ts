/**
 * Run events: what the engine reports while a run proceeds. The engine emits them; the training
 * worker forwards them to the host (throttling `progress`), and every event except `progress` is
 * appended to the run folder's `events.jsonl`, so a panel or the CLI can replay a run that is
 * finished, live, or was made by another process.
 *
 * Only plain numbers and strings: tensors never cross this boundary.
 */
import type { BackendName } from './spec';

/** What the engine is doing in a unit of work. */
export type Phase = 'load' | 'adapter' | 'memory' | 'router' | 'evaluate' | 'baseline' | 'report';

/** Where in the sweep an event belongs: one seed x one task order (x one memory size in a sweep). */
export interface RunCoordinates {
  readonly seed: number;
  readonly order: string;
  /** Memory size label when the spec sweeps memory sizes (e.g. "5%"). */
  readonly memory?: string;
}

interface EventBase {
  /** Milliseconds since the Unix epoch. */
  readonly time: number;
}

export interface RunStartedEvent extends EventBase {
  readonly type: 'run-started';
  readonly runId: string;
  readonly stream: string;
  readonly backend: BackendName;
  readonly tasks: readonly string[];
  readonly seeds: readonly number[];
  readonly orders: readonly string[];
  /** Number of schedulable units (epochs of every phase) in the whole run, for ETA. */
  readonly totalUnits: number;
  readonly resumed: boolean;
}

export interface PhaseEvent extends EventBase, RunCoordinates {
  readonly type: 'phase';
  readonly phase: Phase;
  /** Method the phase belongs to (e.g. "l2r", "lower", "upper"). */
  readonly method: string;
  readonly task?: string;
  /** 0-based index of the task in the order, and the order's length. */
  readonly taskIndex?: number;
  readonly taskCount: number;
}

export interface ProgressEvent extends EventBase, RunCoordinates {
  readonly type: 'progress';
  readonly phase: Phase;
  readonly method: string;
  readonly task?: string;
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly examplesPerSecond: number;
  readonly unitsDone: number;
  readonly totalUnits: number;
  /** Seconds left, estimated from throughput so far; undefined before the first unit. */
  readonly etaSeconds?: number;
}

export interface EpochEndEvent extends EventBase, RunCoordinates {
  readonly type: 'epoch-end';
  readonly phase: Phase;
  readonly method: string;
  readonly task?: string;
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly trainAccuracy: number;
  /** Accuracy on the validation split carved from training data, when there is one. */
  readonly valAccuracy?: number;
  readonly examplesPerSecond: number;
  readonly unitsDone: number;
  readonly totalUnits: number;
}

export interface MemoryUpdatedEvent extends EventBase, RunCoordinates {
  readonly type: 'memory-updated';
  readonly task: string;
  /** Examples of this task now in memory, and the budget for it. */
  readonly size: number;
  readonly budget: number;
  readonly total: number;
}

export interface MetricsEvent extends EventBase, RunCoordinates {
  readonly type: 'metrics';
  readonly method: string;
  readonly setting: 'cil' | 'til';
  readonly accuracy: number;
  readonly macroF1: number;
  readonly perTask: Readonly<Record<string, number>>;
}

export interface LogEvent extends EventBase {
  readonly type: 'log';
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
}

export interface RunCompletedEvent extends EventBase {
  readonly type: 'run-completed';
  readonly seconds: number;
}

export interface RunFailedEvent extends EventBase {
  readonly type: 'run-failed';
  /** One sentence a person can act on (what failed, where, what to do). */
  readonly message: string;
  readonly detail?: string;
}

export interface RunCancelledEvent extends EventBase {
  readonly type: 'run-cancelled';
}

export type RunEvent =
  | RunStartedEvent
  | PhaseEvent
  | ProgressEvent
  | EpochEndEvent
  | MemoryUpdatedEvent
  | MetricsEvent
  | LogEvent
  | RunCompletedEvent
  | RunFailedEvent
  | RunCancelledEvent;
