/**
 * The run folder contract. A run is a folder; it is the truth about the run. The engine (in the
 * training worker) writes it, atomically file by file (temp file + rename), and everything else
 * reads it: the CLI's report, the extension's tree view and panels (through the host), tests.
 *
 * Readers must tolerate a run that is still being written (missing files) and say what is missing.
 */

export const RUN_FILES = {
  /** RunMeta: identity and status of the run. Rewritten on every status change. */
  meta: 'run.json',
  /** ExperimentSpec as resolved when the run started. */
  spec: 'spec.json',
  /** Copy of the `.l2r` source the run came from. */
  stream: 'stream.l2r',
  /** Append-only RunEvent lines (every event but `progress`). */
  events: 'events.jsonl',
  /** MemoryRecord lines: what the replay memory holds. */
  memory: 'memory.jsonl',
  /** RoutingFile: routing scores of test examples and their summaries. */
  routing: 'routing.json',
  /** MetricsFile: every result row and their aggregates. */
  metrics: 'metrics.json',
  /** The metrics as CSV, one row per ResultRow. */
  results: 'results.csv',
  /** Engine checkpoint bookkeeping (completed units); opaque to readers. */
  state: 'state.json',
  /** Human-readable worker log. */
  log: 'worker.log',
  /** Folder of weight checkpoints (opaque to readers). */
  weights: 'weights',
} as const;

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface RunMeta {
  readonly runId: string;
  readonly stream: string;
  /** Absolute path of the `.l2r` file the run came from. */
  readonly sourceFile: string;
  /** ISO-8601 times. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt?: string;
  readonly status: RunStatus;
  /** Compute backend in use (gpu, node, wasm, cpu). */
  readonly backend: string;
  /** PID of the worker while running, so a reloaded host can tell a live run from an interrupted one. */
  readonly pid?: number;
  /** For failed/cancelled runs: what happened, in one sentence. */
  readonly message?: string;
  /** Headline numbers for lists and CodeLens, filled when metrics exist (percent, 0-100). */
  readonly headline?: { readonly method: string; readonly cil?: number; readonly til?: number };
}

export interface MemoryRecord {
  readonly seed: number;
  readonly order: string;
  readonly memory?: string;
  readonly task: string;
  readonly label: string;
  readonly text: string;
  /** Row index of the example in the task's training split. */
  readonly index: number;
  /** Name of the task after which the example was stored, and when (ms since epoch). */
  readonly storedAfterTask: string;
  readonly storedAt: number;
  /**
   * How the final router of this (seed, order) scores the example: `scores[layer][adapter]` in [0, 1],
   * adapters in stream order. Written once the router exists (absent for runs stopped before).
   */
  readonly scores?: readonly (readonly number[])[];
}

/** Routing of one test example by one method: `scores[layer][adapter]` in [0, 1]. */
export interface RoutedExample {
  readonly id: number;
  readonly task: string;
  readonly label: string;
  readonly text: string;
  readonly scores: readonly (readonly number[])[];
  /** Predicted label over the union of classes (CIL) and within the true task (TIL). */
  readonly predictedCil: string;
  readonly predictedTil: string;
}

export interface RoutingTable {
  readonly seed: number;
  readonly order: string;
  readonly memory?: string;
  /** e.g. "l2r-wavg", "l2r-merge", "softmax-wavg", "mocl", "dam". */
  readonly method: string;
  /** Adapter names in stream order (adapter i was trained on task adapters[i]). */
  readonly adapters: readonly string[];
  readonly layers: number;
  /** meanScores[layer][trueTaskIndex][adapter]: mean routing score, tasks in `adapters` order. */
  readonly meanScores: readonly (readonly (readonly number[])[])[];
  /** confusion[layer][trueTaskIndex][dominantAdapter]: counts of test examples. */
  readonly confusion: readonly (readonly (readonly number[])[])[];
  /** Mean number of adapters with score >= 0.5, per layer. */
  readonly meanActive: readonly number[];
  /** A sample of routed test examples (bounded, so the file stays small). */
  readonly examples: readonly RoutedExample[];
}

export interface RoutingFile {
  readonly tables: readonly RoutingTable[];
}

export interface ResultRow {
  readonly seed: number;
  readonly order: string;
  readonly memory?: string;
  /** e.g. "l2r-wavg", "l2r-merge", "lower", "upper", "oracle", "epi", "mocl", "dam", "softmax-wavg", "single-task". */
  readonly method: string;
  readonly setting: 'cil' | 'til';
  /** Percent, 0-100. */
  readonly accuracy: number;
  readonly macroF1: number;
  readonly perTask: Readonly<Record<string, number>>;
  readonly forgetting?: number;
  readonly bwt?: number;
  readonly fwt?: number;
}

export interface AggregateRow {
  readonly method: string;
  readonly setting: 'cil' | 'til';
  readonly memory?: string;
  /** Number of (seed, order) runs aggregated. */
  readonly n: number;
  readonly accuracyMean: number;
  readonly accuracyStd: number;
  readonly macroF1Mean: number;
  readonly macroF1Std: number;
  readonly forgettingMean?: number;
  readonly bwtMean?: number;
  readonly fwtMean?: number;
}

/** r[i][j]: accuracy (percent) on task j after learning task i, tasks in `tasks` order. */
export interface AccuracyMatrix {
  readonly seed: number;
  readonly order: string;
  readonly memory?: string;
  readonly method: string;
  readonly setting: 'cil' | 'til';
  readonly tasks: readonly string[];
  readonly r: readonly (readonly number[])[];
}

export interface MetricsFile {
  readonly runId: string;
  readonly stream: string;
  readonly backend: string;
  readonly seconds: number;
  readonly rows: readonly ResultRow[];
  readonly aggregate: readonly AggregateRow[];
  readonly matrices: readonly AccuracyMatrix[];
  /** Throughput measured during the run (examples per second). */
  readonly speed?: {
    /** Mean of the adapter-training epochs' examples/s, each measured in the thread that trained it. */
    readonly adapterTraining?: number;
    /**
     * L2R's isolated adapters, all threads together: examples trained per wall-clock second of the
     * engine's adapter phases (with the adapter thread, about twice one thread's rate).
     */
    readonly adapterPhase?: number;
    /** Mean of the router-training epochs' examples/s. */
    readonly routerTraining?: number;
    /** L2R's router trainings: examples per wall-clock second, set-up (nets, caches, threads) included. */
    readonly routerPhase?: number;
    readonly inference?: number;
  };
  /** Peak resident memory of the worker process during the run, in MB. */
  readonly peakRssMb?: number;
}

/**
 * `<yyyymmdd-hhmmss>-<stream>`: sorts by time in any file browser, and names the stream. The stream
 * name is reduced to characters that are safe in a folder name on every platform.
 */
export function runFolderName(when: Date, stream: string): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp =
    `${when.getFullYear()}${pad(when.getMonth() + 1)}${pad(when.getDate())}-` +
    `${pad(when.getHours())}${pad(when.getMinutes())}${pad(when.getSeconds())}`;
  const safe = stream.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'stream';
  return `${stamp}-${safe}`;
}
