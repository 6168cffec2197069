import type { Tensor, Tf } from '../tf';
import type { Optimizer } from '../train/hooks';
import type { KernelHeap } from './module';

/**
 * Adam over one flat buffer of parameters in a kernel heap: one kernel call per step instead of
 * ~10 TF.js ops per variable. Its state reads and writes as TF.js's AdamOptimizer's does (an `iter`
 * counter, then every variable's first moments, then every variable's second moments, each shaped
 * like its variable), so a checkpoint written by either optimiser resumes in the other.
 */
export class FlatAdam implements Optimizer {
  private readonly m: number;
  private readonly v: number;
  private iterations = 0;
  private exported: Tensor[] = [];

  constructor(
    private readonly tf: Tf,
    private readonly heap: KernelHeap,
    private readonly lr: number,
    /** The variables' names and shapes in buffer order, for the checkpoint's names and shapes. */
    private readonly variables: readonly { readonly name: string; readonly shape: readonly number[] }[],
    private readonly size: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    /** TF.js's default: the backend's epsilon (1e-7 for float32). */
    private readonly epsilon = tf.backend().epsilon(),
  ) {
    this.m = heap.alloc(size);
    this.v = heap.alloc(size);
  }

  /** Applies one step to `params` from `grads` (byte offsets of `size` floats each). */
  step(params: number, grads: number): void {
    this.iterations += 1;
    const t = this.iterations;
    this.heap.k.adam(
      params,
      grads,
      this.m,
      this.v,
      this.size,
      this.lr,
      this.beta1,
      this.beta2,
      this.epsilon,
      1 - this.beta1 ** t,
      1 - this.beta2 ** t,
    );
  }

  getWeights(): Promise<{ name: string; tensor: Tensor }[]> {
    // Callers dispose only `iter` (TF.js hands out its live accumulators): these copies are ours,
    // kept until release(), the next call or dispose().
    this.release();
    const moments = (base: number, suffix: string): { name: string; tensor: Tensor }[] => {
      const all = this.heap.f32(base, this.size);
      let offset = 0;
      return this.variables.map((variable) => {
        const length = variable.shape.reduce((a, b) => a * b, 1);
        const tensor = this.tf.tensor(all.slice(offset, offset + length), [...variable.shape]);
        offset += length;
        return { name: `${variable.name}/${suffix}`, tensor };
      });
    };
    const first = moments(this.m, 'm');
    const second = moments(this.v, 'v');
    this.exported = [...first, ...second].map((w) => w.tensor);
    const iter = this.tf.scalar(this.iterations, 'int32');
    return Promise.resolve([{ name: 'iter', tensor: iter }, ...first, ...second]);
  }

  async setWeights(weights: { name: string; tensor: Tensor }[]): Promise<void> {
    const [iter, ...rest] = weights;
    if (iter?.name !== 'iter') throw new Error('optimizer state without an iteration count');
    const values = await Promise.all(rest.map((w) => w.tensor.data()));
    const half = values.length / 2;
    if (half !== this.variables.length)
      throw new Error(`optimizer state for ${half} variables, expected ${this.variables.length}`);
    this.iterations = (await iter.tensor.data())[0] ?? 0;
    const copy = (base: number, from: number): void => {
      const all = this.heap.f32(base, this.size);
      let offset = 0;
      for (let i = 0; i < half; i++) {
        const v = values[from + i] as Float32Array;
        all.set(v, offset);
        offset += v.length;
      }
      if (offset !== this.size) throw new Error('optimizer state does not match the parameters');
    };
    copy(this.m, 0);
    copy(this.v, half);
  }

  /** Frees the tensors the last getWeights made (once the caller has read them). */
  release(): void {
    this.tf.dispose(this.exported);
    this.exported = [];
  }

  dispose(): void {
    this.release();
  }
}
