import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FILES } from '../../protocol/runFolder';
import type { Tf, Variable } from '../tf';
import { readJsonIfExists, writeAtomic, writeJsonAtomic } from './files';

/** The engine's bookkeeping in state.json: which units are complete (their weights are on disk). */
export interface EngineState {
  readonly version: 1;
  readonly completed: string[];
}

export class Checkpoints {
  private state: EngineState = { version: 1, completed: [] };

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

  get completedCount(): number {
    return this.state.completed.length;
  }

  /** Saves the unit's variables, then records the unit as complete (in that order, so a crash in between only redoes it). */
  async complete(unit: string, variables: readonly Variable[]): Promise<void> {
    await writeAtomic(this.weightsPath(unit), await serialize(variables));
    if (!this.has(unit)) this.state = { version: 1, completed: [...this.state.completed, unit] };
    await writeJsonAtomic(join(this.runDir, RUN_FILES.state), this.state);
  }

  /** Restores the unit's variables from disk. */
  async restore(tf: Tf, unit: string, variables: readonly Variable[]): Promise<void> {
    const bytes = await readFile(this.weightsPath(unit));
    const floats = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    let offset = 0;
    for (const v of variables) {
      if (offset + v.size > floats.length)
        throw new Error(`checkpoint ${unit} is shorter than its model; start a new run`);
      const values = tf.tensor(floats.subarray(offset, offset + v.size), v.shape);
      v.assign(values);
      values.dispose();
      offset += v.size;
    }
    if (offset !== floats.length)
      throw new Error(`checkpoint ${unit} does not match the model; start a new run`);
  }

  private weightsPath(unit: string): string {
    return join(this.runDir, RUN_FILES.weights, `${unit.replace(/[^A-Za-z0-9._-]+/g, '_')}.bin`);
  }
}

async function serialize(variables: readonly Variable[]): Promise<Uint8Array> {
  const total = variables.reduce((sum, v) => sum + v.size, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const v of variables) {
    out.set((await v.data()) as Float32Array, offset);
    offset += v.size;
  }
  return new Uint8Array(out.buffer);
}
