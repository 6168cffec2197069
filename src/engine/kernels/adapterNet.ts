import { FrozenLayers } from './frozenLayers';
import type { AdapterOffsets } from './adapterOps';
import { adapterBackward, adapterForward, readParams, writeParams } from './adapterOps';
import type { KernelExports, KernelHeap } from './module';

/** The default backbone's shape with one task's adapters and head. */
export interface AdapterNetShape {
  readonly layers: number;
  readonly dim: number;
  readonly bottleneck: number;
  readonly classes: number;
  /** Largest batch a step will see. */
  readonly batch: number;
}

/** Where each trainable tensor sits in the flat parameter buffer, in `adapterVariables` + `headVariables` order. */
export interface ParamLayout {
  readonly adapters: readonly AdapterOffsets[];
  readonly headW: number;
  readonly headB: number;
  /** Floats in the whole buffer. */
  readonly size: number;
  /** Each tensor's offset (in floats) and length, in variable order. */
  readonly pieces: readonly { readonly offset: number; readonly length: number }[];
}

export function paramLayout(shape: AdapterNetShape): ParamLayout {
  const { layers, dim, bottleneck: b, classes } = shape;
  const pieces: { offset: number; length: number }[] = [];
  let size = 0;
  const take = (length: number): number => {
    pieces.push({ offset: size, length });
    size += length;
    return (size - length) * 4;
  };
  const adapters = Array.from({ length: layers }, () => ({
    down: take(dim * b),
    downBias: take(b),
    up: take(b * dim),
    upBias: take(dim),
  }));
  const headW = take(dim * classes);
  const headB = take(classes);
  return { adapters, headW, headB, size, pieces };
}

/**
 * One task's isolated path through the default backbone (frozen layers h <- LN(h + GELU(h W)),
 * each followed by the task's adapter, then the head), forward and backward, on buffers allocated
 * once in a kernel heap. It computes exactly what `forwardSingle` + `headLogits` compute with
 * TF.js, and the gradients autodiff would give (test/engine/kernels.test.ts checks both).
 *
 * Layer 0 sits below every adapter, so its output is a constant of each example: `setRows`
 * computes it once per training set instead of once per step.
 */
export class AdapterNet {
  readonly layout: ParamLayout;
  /** Flat parameters and their gradients (byte offsets; `layout` says what is where). */
  readonly params: number;
  readonly grads: number;
  private readonly k: KernelExports;
  private readonly frozen: FrozenLayers;
  private readonly y: number[] = [];
  private readonly rstd: number[] = [];
  private readonly u: number[] = [];
  private readonly r: number[] = [];
  private readonly out: number[] = [];
  private readonly logits: number;
  private readonly dLogits: number;
  private readonly labels: number;
  private readonly g: number;
  private readonly g2: number;
  private readonly gHidden: number;
  private readonly scratch: number;
  private layer0 = 0;
  private rowCount = 0;

  constructor(
    private readonly heap: KernelHeap,
    readonly shape: AdapterNetShape,
    frozen: readonly Float32Array[],
  ) {
    const { layers, dim, bottleneck: b, classes, batch } = shape;
    if (frozen.length !== layers) throw new Error(`expected ${layers} frozen layers, got ${frozen.length}`);
    this.k = heap.k;
    this.frozen = new FrozenLayers(heap, frozen, dim);
    this.layout = paramLayout(shape);
    this.params = heap.alloc(this.layout.size);
    this.grads = heap.alloc(this.layout.size);
    for (let l = 0; l < layers; l++) {
      this.y.push(heap.alloc(batch * dim));
      this.rstd.push(heap.alloc(batch));
      this.u.push(heap.alloc(batch * dim));
      this.r.push(heap.alloc(batch * b));
      this.out.push(heap.alloc(batch * dim));
    }
    this.logits = heap.alloc(batch * classes);
    this.dLogits = heap.alloc(batch * classes);
    this.labels = heap.alloc(batch);
    this.g = heap.alloc(batch * dim);
    this.g2 = heap.alloc(batch * dim);
    this.gHidden = heap.alloc(batch * b);
    this.scratch = heap.alloc(batch * dim);
  }

  /** Copies parameters in, in variable order (the values of `adapterVariables` then `headVariables`). */
  /** Floats in the parameter (and gradient) buffer. */
  get paramCount(): number {
    return this.layout.size;
  }

  setParams(values: readonly Float32Array[]): void {
    writeParams(this.heap, this.params, this.layout.size, this.layout.pieces, values);
  }

  /** The parameters, in variable order (copies). */
  getParams(): Float32Array[] {
    return readParams(this.heap, this.params, this.layout.size, this.layout.pieces);
  }

  /**
   * Takes the training set's cached stem rows and computes layer 0's output for each, once (one set
   * per net: call it once).
   */
  setRows(rows: Float32Array, count: number): void {
    this.layer0 = this.frozen.cacheLayer0(rows, count);
    this.rowCount = count;
  }

  /**
   * One forward and backward pass over the rows `indices` of the set given to `setRows`; leaves the
   * gradients in `grads` and returns the batch's mean loss and how many it classified right.
   */
  step(indices: ArrayLike<number>, labels: ArrayLike<number>): { loss: number; correct: number } {
    const count = indices.length;
    const { layers, dim, bottleneck: b, classes, batch } = this.shape;
    if (count > batch) throw new Error(`batch of ${count} exceeds ${batch}`);
    const k = this.k;
    const L = this.layout;
    const p = (offset: number): number => this.params + offset;
    const gp = (offset: number): number => this.grads + offset;

    const rows = this.heap.f32(this.layer0, this.rowCount * dim);
    const y0 = this.heap.f32(this.y[0] ?? 0, count * dim);
    const labelView = this.heap.i32(this.labels, count);
    for (let i = 0; i < count; i++) {
      const r = indices[i] ?? 0;
      y0.set(rows.subarray(r * dim, (r + 1) * dim), i * dim);
      labelView[i] = labels[i] ?? 0;
    }

    // Forward.
    for (let l = 0; l < layers; l++) {
      const y = this.y[l] ?? 0;
      const out = this.out[l] ?? 0;
      const hidden = this.r[l] ?? 0;
      const a = L.adapters[l] ?? L.adapters[0];
      if (a === undefined) throw new Error('no adapters');
      if (l > 0)
        this.frozen.forward(
          l,
          this.out[l - 1] ?? 0,
          this.u[l] ?? 0,
          this.scratch,
          y,
          this.rstd[l] ?? 0,
          count,
        );
      adapterForward(k, this.params, a, y, hidden, out, count, dim, b);
    }
    const top = this.out[layers - 1] ?? 0;
    k.gemm(top, p(L.headW), this.logits, count, dim, classes, 0);
    k.addBias(this.logits, p(L.headB), count, classes);
    const loss = k.softmaxCrossEntropy(this.logits, this.labels, this.dLogits, count, classes);
    const correct = k.countCorrect(this.logits, this.labels, count, classes);

    // Backward. g holds d(loss)/d(output of the current adapter).
    k.gemmTN(top, this.dLogits, gp(L.headW), count, dim, classes, 0);
    k.columnSums(this.dLogits, gp(L.headB), count, classes, 0);
    let g = this.g;
    let g2 = this.g2;
    k.gemmNT(this.dLogits, p(L.headW), g, count, classes, dim, 0);
    for (let l = layers - 1; l >= 0; l--) {
      const a = L.adapters[l] ?? L.adapters[0];
      if (a === undefined) throw new Error('no adapters');
      const y = this.y[l] ?? 0;
      const hidden = this.r[l] ?? 0;
      // Below layer 0's adapter nothing trains: its input gradient is not needed.
      adapterBackward(k, this.params, this.grads, a, y, hidden, g, this.gHidden, count, dim, b, l > 0);
      if (l === 0) break;
      // Through the LayerNorm, the residual GELU and the frozen product to the previous adapter's output.
      this.frozen.backward(l, g, this.u[l] ?? 0, y, this.rstd[l] ?? 0, g2, this.scratch, count);
      [g, g2] = [g2, g];
    }
    return { loss, correct };
  }
}
