import type { AdapterOffsets } from './adapterOps';
import { adapterBackward, adapterForward, readParams, writeParams } from './adapterOps';
import type { PlainFrozen } from './composedNet';
import { frozenStack } from './composedNet';
import type { FrozenStack } from './frozenLayers';
import { LayerZero } from './layerZero';
import type { KernelExports, KernelHeap } from './module';

/** A backbone's shape with one task's adapters and head. */
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
 * One task's isolated path through a frozen backbone (each layer followed by the task's adapter
 * only, on every token for bert; the masked mean of the last layer's tokens for bert), then the head,
 * forward and backward, on buffers allocated once in a kernel heap. It computes exactly what
 * `forwardSingle` + `headLogits` compute with TF.js, and the gradients autodiff would give
 * (test/engine/kernels.test.ts checks both). Layer 0's output is kept per example (LayerZero).
 */
export class AdapterNet {
  readonly layout: ParamLayout;
  /** Flat parameters and their gradients (byte offsets; `layout` says what is where). */
  readonly params: number;
  readonly grads: number;
  private readonly k: KernelExports;
  private readonly stack: FrozenStack;
  private readonly layerZero: LayerZero;
  private readonly tokens: number;
  private readonly y: number[] = [];
  private readonly hidden: number[] = [];
  private readonly out: number[] = [];
  private readonly mask: number;
  private readonly pooled: number;
  private readonly dPooled: number;
  private readonly logits: number;
  private readonly dLogits: number;
  private readonly labels: number;
  private readonly g: number;
  private readonly g2: number;
  private readonly gHidden: number;

  constructor(
    private readonly heap: KernelHeap,
    readonly shape: AdapterNetShape,
    backbone: PlainFrozen,
  ) {
    const { layers, dim, bottleneck: b, classes, batch } = shape;
    this.k = heap.k;
    this.stack = frozenStack(heap, backbone, dim, batch);
    if (this.stack.layers !== layers)
      throw new Error(`expected ${layers} frozen layers, got ${this.stack.layers}`);
    this.tokens = this.stack.tokens;
    const n = batch * this.tokens;
    this.layout = paramLayout(shape);
    this.params = heap.alloc(this.layout.size);
    this.grads = heap.alloc(this.layout.size);
    for (let l = 0; l < layers; l++) {
      this.y.push(heap.alloc(n * dim));
      this.hidden.push(heap.alloc(n * b));
      this.out.push(heap.alloc(n * dim));
    }
    this.mask = heap.alloc(n);
    this.pooled = this.tokens === 1 ? (this.out[layers - 1] ?? 0) : heap.alloc(batch * dim);
    this.dPooled = heap.alloc(batch * dim);
    this.logits = heap.alloc(batch * classes);
    this.dLogits = heap.alloc(batch * classes);
    this.labels = heap.alloc(batch);
    this.g = heap.alloc(n * dim);
    this.g2 = heap.alloc(n * dim);
    this.gHidden = heap.alloc(n * b);
    this.layerZero = new LayerZero(heap, this.stack, dim, this.g);
  }

  /** Floats in the parameter (and gradient) buffer. */
  get paramCount(): number {
    return this.layout.size;
  }

  /** Copies parameters in, in variable order (the values of `adapterVariables` then `headVariables`). */
  setParams(values: readonly Float32Array[]): void {
    writeParams(this.heap, this.params, this.layout.size, this.layout.pieces, values);
  }

  /** The parameters, in variable order (copies). */
  getParams(): Float32Array[] {
    return readParams(this.heap, this.params, this.layout.size, this.layout.pieces);
  }

  /** Takes the training set's rows (stem features, or token ids): one set per net, call it once. */
  setRows(rows: Float32Array, count: number): void {
    this.layerZero.setRows(rows, count);
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
    const T = this.tokens;
    const n = count * T;
    const p = (offset: number): number => this.params + offset;
    const gp = (offset: number): number => this.grads + offset;

    const labelView = this.heap.i32(this.labels, count);
    for (let i = 0; i < count; i++) labelView[i] = labels[i] ?? 0;
    this.layerZero.gather(indices, this.y[0] ?? 0, this.mask);

    // Forward.
    for (let l = 0; l < layers; l++) {
      const a = L.adapters[l];
      if (a === undefined) throw new Error('no adapters');
      const y = this.y[l] ?? 0;
      if (l > 0) this.stack.forward(l, this.out[l - 1] ?? 0, this.mask, y, count);
      adapterForward(k, this.params, a, y, this.hidden[l] ?? 0, this.out[l] ?? 0, n, dim, b);
    }
    if (T > 1) k.maskedMean(this.out[layers - 1] ?? 0, this.mask, this.pooled, count, T, dim);
    k.gemm(this.pooled, p(L.headW), this.logits, count, dim, classes, 0);
    k.addBias(this.logits, p(L.headB), count, classes);
    const loss = k.softmaxCrossEntropy(this.logits, this.labels, this.dLogits, count, classes);
    const correct = k.countCorrect(this.logits, this.labels, count, classes);

    // Backward. g holds d(loss)/d(output of the current adapter).
    k.gemmTN(this.pooled, this.dLogits, gp(L.headW), count, dim, classes, 0);
    k.columnSums(this.dLogits, gp(L.headB), count, classes, 0);
    let g = this.g;
    let g2 = this.g2;
    if (T === 1) k.gemmNT(this.dLogits, p(L.headW), g, count, classes, dim, 0);
    else {
      k.gemmNT(this.dLogits, p(L.headW), this.dPooled, count, classes, dim, 0);
      k.maskedMeanBackward(this.dPooled, this.mask, g, count, T, dim, 0);
    }
    for (let l = layers - 1; l >= 0; l--) {
      const a = L.adapters[l];
      if (a === undefined) throw new Error('no adapters');
      // Below layer 0's adapter nothing trains: its input gradient is not needed.
      adapterBackward(
        k,
        this.params,
        this.grads,
        a,
        this.y[l] ?? 0,
        this.hidden[l] ?? 0,
        g,
        this.gHidden,
        n,
        dim,
        b,
        l > 0,
      );
      if (l === 0) break;
      this.stack.backward(l, g, g2, count);
      [g, g2] = [g2, g];
    }
    return { loss, correct };
  }
}
