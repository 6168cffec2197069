import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FILES } from '../../protocol/runFolder';
import type { Optimizer } from '../train/hooks';
import type { Tensor, Tf, Variable } from '../tf';
import { concatValues } from '../parallel/values';
import { readJsonIfExists, writeAtomic, writeJsonAtomic } from './files';

/** The engine's bookkeeping in state.json: which units are complete (their weights are on disk). */
export interface EngineState {
  readonly version: 1;
  readonly completed: string[];
  /** Units in progress: the last epoch whose weights and optimiser state are on disk. */
  readonly epochs?: Readonly<Record<string, number>>;
}

/** What an epoch checkpoint holds besides the unit's variables: the optimiser's own weights. */
interface EpochManifest {
  readonly epoch: number;
  readonly optimizer: readonly { name: string; shape: number[] }[];
}

type NamedTensor = { name: string; tensor: Tensor };

export class Checkpoints {
  private state: EngineState = { version: 1, completed: [] };
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly runDir: string) {}

  async load(): Promise<void> {
    this.state = (await readJsonIfExists<EngineState>(join(this.runDir, RUN_FILES.state))) ?? {
      version: 1,
      completed: [],
    };
  }

  has(unit: string): boolean {
    return this.state.completed.includes(unit);
  }

  /** Last epoch of `unit` checkpointed mid-unit, if any. */
  lastEpoch(unit: string): number | undefined {
    return this.state.epochs?.[unit];
  }

  /** Saves the variables and optimiser state after an epoch, so a resume continues with the next. */
  async saveEpoch(
    unit: string,
    epoch: number,
    variables: readonly Variable[],
    optimizer: Optimizer,
  ): Promise<void> {
    const weights = await optimizer.getWeights();
    try {
      const values = await concatValues([...variables, ...weights.map((w) => w.tensor)]);
      await this.saveEpochValues(
        unit,
        epoch,
        values,
        weights.map((w) => ({ name: w.name, shape: w.tensor.shape })),
      );
    } finally {
      // getWeights returns the live accumulators plus a fresh iteration counter: only that one is ours.
      weights.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
    }
  }

  /**
   * Saves an epoch checkpoint already read out of its tensors (the variables, then the optimiser's
   * weights, named and shaped by `optimizer`): how checkpoints made in an adapter thread are kept.
   */
  async saveEpochValues(
    unit: string,
    epoch: number,
    values: Float32Array,
    optimizer: readonly { readonly name: string; readonly shape: readonly number[] }[],
  ): Promise<void> {
    await writeAtomic(
      this.weightsPath(`${unit}@epoch`),
      new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    );
    const manifest: EpochManifest = {
      epoch,
      optimizer: optimizer.map((w) => ({ name: w.name, shape: [...w.shape] })),
    };
    await writeJsonAtomic(this.weightsPath(`${unit}@epoch`).replace(/\.bin$/, '.json'), manifest);
    this.state = { ...this.state, epochs: { ...this.state.epochs, [unit]: epoch } };
    await this.writeState();
  }

  /** Restores the last epoch checkpoint of `unit` into the variables and optimiser; returns the epoch to start at. */
  async resumeEpoch(
    tf: Tf,
    unit: string,
    variables: readonly Variable[],
    optimizer: Optimizer,
  ): Promise<number> {
    const epoch = this.lastEpoch(unit);
    if (epoch === undefined) return 1;
    const manifest = await readJsonIfExists<EpochManifest>(
      this.weightsPath(`${unit}@epoch`).replace(/\.bin$/, '.json'),
    );
    if (manifest?.epoch !== epoch)
      throw new Error(`the checkpoint of ${unit} is incomplete; start a new run`);
    const floats = await this.readFloats(`${unit}@epoch`);
    let offset = this.assign(tf, unit, floats, variables, 0);
    const restored: NamedTensor[] = manifest.optimizer.map((w) => {
      const size = w.shape.reduce((a, b) => a * b, 1);
      const tensor = tf.tensor(floats.subarray(offset, offset + size), w.shape);
      offset += size;
      return { name: w.name, tensor };
    });
    if (offset !== floats.length)
      throw new Error(`the checkpoint of ${unit} does not match the model; start a new run`);
    await optimizer.setWeights(restored);
    tf.dispose(restored.map((r) => r.tensor));
    return epoch + 1;
  }

  /** Saves the unit's variables, then records the unit as complete (in that order, so a crash in between only redoes it). */
  async complete(unit: string, variables: readonly Variable[]): Promise<void> {
    const values = await concatValues(variables);
    await writeAtomic(this.weightsPath(unit), new Uint8Array(values.buffer));
    const epochs = { ...this.state.epochs };
    delete epochs[unit];
    if (!this.has(unit)) this.state = { version: 1, completed: [...this.state.completed, unit], epochs };
    await this.writeState();
  }

  /** Restores the unit's variables from disk. */
  async restore(tf: Tf, unit: string, variables: readonly Variable[]): Promise<void> {
    const floats = await this.readFloats(unit);
    if (this.assign(tf, unit, floats, variables, 0) !== floats.length) {
      throw new Error(`checkpoint ${unit} does not match the model; start a new run`);
    }
  }

  private async readFloats(unit: string): Promise<Float32Array> {
    const bytes = await readFile(this.weightsPath(unit));
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }

  /** Assigns consecutive values to the variables; returns the offset after them. */
  private assign(
    tf: Tf,
    unit: string,
    floats: Float32Array,
    variables: readonly Variable[],
    start: number,
  ): number {
    let offset = start;
    for (const v of variables) {
      if (offset + v.size > floats.length)
        throw new Error(`checkpoint ${unit} is shorter than its model; start a new run`);
      const values = tf.tensor(floats.subarray(offset, offset + v.size), v.shape);
      v.assign(values);
      values.dispose();
      offset += v.size;
    }
    return offset;
  }

  /**
   * Writes state.json with the latest state, one write at a time: with units saved from two places
   * (the engine and an adapter thread's messages), an older write must never land after a newer one.
   */
  private writeState(): Promise<void> {
    this.writing = this.writing
      .catch(() => undefined)
      .then(() => writeJsonAtomic(join(this.runDir, RUN_FILES.state), this.state));
    return this.writing;
  }

  private weightsPath(unit: string): string {
    return join(this.runDir, RUN_FILES.weights, `${unit.replace(/[^A-Za-z0-9._-]+/g, '_')}.bin`);
  }
}
