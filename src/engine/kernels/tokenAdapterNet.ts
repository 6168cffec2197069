import type { AdapterNetShape, ParamLayout } from './adapterNet';
import { paramLayout } from './adapterNet';
import type { PlainBert } from './bertLayers';
import { BertLayers } from './bertLayers';
import { layerZeroCacheBytes } from './cacheBudget';
import { adapterBackward, adapterForward, readParams, writeParams } from './adapterOps';
import type { KernelExports, KernelHeap } from './module';

/**
 * AdapterNet for the bert backbone: one task's adapters on every token after each frozen encoder
 * layer, the masked mean of the last layer's tokens into the head, forward and backward. Computes
 * what `forwardSingle` + `headLogits` compute with TF.js on a bert backbone.
 */
export class TokenAdapterNet {
  readonly layout: ParamLayout;
  readonly params: number;
  readonly grads: number;
  private readonly k: KernelExports;
  private readonly bert: BertLayers;
  private readonly tokens: number;
  private readonly y: number[] = [];
  private readonly z: number[] = [];
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
  private ids: Float32Array = new Float32Array();
  private cache = 0;
  private cacheMask = 0;
  private rowCount = 0;

  constructor(
    private readonly heap: KernelHeap,
    readonly shape: AdapterNetShape,
    bert: PlainBert,
  ) {
    const { layers, dim, bottleneck: b, classes, batch } = shape;
    if (bert.layers.length !== layers) throw new Error(`expected ${layers} encoder layers`);
    this.k = heap.k;
    this.bert = new BertLayers(heap, bert, batch);
    this.tokens = bert.maxLength;
    const n = batch * this.tokens;
    this.layout = paramLayout(shape);
    this.params = heap.alloc(this.layout.size);
    this.grads = heap.alloc(this.layout.size);
    for (let l = 0; l < layers; l++) {
      this.y.push(heap.alloc(n * dim));
      this.z.push(heap.alloc(n * b));
      this.out.push(heap.alloc(n * dim));
    }
    this.mask = heap.alloc(n);
    this.pooled = heap.alloc(batch * dim);
    this.dPooled = heap.alloc(batch * dim);
    this.logits = heap.alloc(batch * classes);
    this.dLogits = heap.alloc(batch * classes);
    this.labels = heap.alloc(batch);
    this.g = heap.alloc(n * dim);
    this.g2 = heap.alloc(n * dim);
    this.gHidden = heap.alloc(n * b);
  }

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
   * Takes the training rows (token ids, `tokens` per row). Layer 0 is below every adapter, so its
   * output is a constant of each example: kept for all rows within the cache budget (cacheBudget.ts).
   */
  setRows(ids: Float32Array, count: number): void {
    const { dim, batch } = this.shape;
    const T = this.tokens;
    if (ids.length !== count * T) throw new Error(`expected ${count} rows of ${T} token ids`);
    this.ids = ids;
    this.rowCount = count;
    if (count * T * dim * 4 > layerZeroCacheBytes()) return;
    this.cache = this.heap.alloc(count * T * dim);
    this.cacheMask = this.heap.alloc(count * T);
    for (let start = 0; start < count; start += batch) {
      const rows = Math.min(batch, count - start);
      this.bert.embed(ids.subarray(start * T, (start + rows) * T), rows, this.g, this.mask);
      this.bert.forward(0, this.g, this.mask, this.cache + start * T * dim * 4, rows);
      this.heap.f32(this.cacheMask + start * T * 4, rows * T).set(this.heap.f32(this.mask, rows * T));
    }
  }

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
    const y0 = this.y[0] ?? 0;
    if (this.cache !== 0) {
      const rows = this.heap.f32(this.cache, this.rowCount * T * dim);
      const masks = this.heap.f32(this.cacheMask, this.rowCount * T);
      const y = this.heap.f32(y0, n * dim);
      const m = this.heap.f32(this.mask, n);
      for (let i = 0; i < count; i++) {
        const r = indices[i] ?? 0;
        y.set(rows.subarray(r * T * dim, (r + 1) * T * dim), i * T * dim);
        m.set(masks.subarray(r * T, (r + 1) * T), i * T);
      }
    } else {
      const ids = new Float32Array(n);
      for (let i = 0; i < count; i++) {
        const r = indices[i] ?? 0;
        ids.set(this.ids.subarray(r * T, (r + 1) * T), i * T);
      }
      this.bert.embed(ids, count, this.g, this.mask);
      this.bert.forward(0, this.g, this.mask, y0, count);
    }

    // Forward.
    for (let l = 0; l < layers; l++) {
      const a = L.adapters[l];
      if (a === undefined) throw new Error('no adapters');
      const y = this.y[l] ?? 0;
      if (l > 0) this.bert.forward(l, this.out[l - 1] ?? 0, this.mask, y, count);
      const z = this.z[l] ?? 0;
      const out = this.out[l] ?? 0;
      adapterForward(k, this.params, a, y, z, out, n, dim, b);
    }
    k.maskedMean(this.out[layers - 1] ?? 0, this.mask, this.pooled, count, T, dim);
    k.gemm(this.pooled, p(L.headW), this.logits, count, dim, classes, 0);
    k.addBias(this.logits, p(L.headB), count, classes);
    const loss = k.softmaxCrossEntropy(this.logits, this.labels, this.dLogits, count, classes);
    const correct = k.countCorrect(this.logits, this.labels, count, classes);

    // Backward.
    k.gemmTN(this.pooled, this.dLogits, gp(L.headW), count, dim, classes, 0);
    k.columnSums(this.dLogits, gp(L.headB), count, classes, 0);
    k.gemmNT(this.dLogits, p(L.headW), this.dPooled, count, classes, dim, 0);
    let g = this.g;
    let g2 = this.g2;
    k.maskedMeanBackward(this.dPooled, this.mask, g, count, T, dim, 0);
    for (let l = layers - 1; l >= 0; l--) {
      const a = L.adapters[l];
      if (a === undefined) throw new Error('no adapters');
      const y = this.y[l] ?? 0;
      const z = this.z[l] ?? 0;
      adapterBackward(k, this.params, this.grads, a, y, z, g, this.gHidden, n, dim, b, l > 0);
      if (l === 0) break;
      this.bert.backward(l, g, g2, count);
      [g, g2] = [g2, g];
    }
    return { loss, correct };
  }
}
