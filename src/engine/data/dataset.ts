/** One task's data once loaded: texts and integer labels, split three ways. */
export interface Split {
  readonly texts: readonly string[];
  /** Index into the task's `classes`. */
  readonly labels: Int32Array;
  /** Row number in the source file (1-based line for JSONL, record for CSV), for messages and memory records. */
  readonly rows: Int32Array;
}

export interface TaskData {
  readonly name: string;
  readonly classes: readonly string[];
  /** What adapters train on (the training file minus the validation carve). */
  readonly train: Split;
  /** Carved from the training file; used for model selection, never the test file. */
  readonly val: Split;
  readonly test: Split;
}

/** A problem with a data file: names the file, the line and the field, and what to do. */
export class DataError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${message}`);
    this.name = 'DataError';
  }
}
