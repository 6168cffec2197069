import type { FrozenStack } from './frozenLayers';
import type { KernelExports, KernelHeap } from './module';

/** A dense layer as plain numbers: w [in x out] (for x w) and b [out]. */
export interface PlainDense {
  readonly w: Float32Array;
  readonly b: Float32Array;
}

/** A frozen BERT encoder as plain numbers (bert/bertBackbone.ts's weights, products as [in x out]). */
export interface PlainBert {
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly eps: number;
  readonly maxLength: number;
  readonly padId: number;
  readonly embeddings: {
    /** [vocab x hidden]. */
    readonly word: Float32Array;
    /** [maxLength x hidden]: the positions used. */
    readonly position: Float32Array;
    /** [hidden]: token type 0. */
    readonly type: Float32Array;
    readonly norm: { readonly g: Float32Array; readonly b: Float32Array };
  };
  readonly layers: readonly {
    readonly q: PlainDense;
    readonly k: PlainDense;
    readonly v: PlainDense;
    readonly o: PlainDense;
    readonly norm1: { readonly g: Float32Array; readonly b: Float32Array };
    readonly up: PlainDense;
    readonly down: PlainDense;
    readonly norm2: { readonly g: Float32Array; readonly b: Float32Array };
  }[];
}

interface DenseBuffers {
  readonly w: number;
  /** w transposed [out x in]: the input gradient's product stays plain. */
  readonly wT: number;
  readonly b: number;
  readonly out: number;
}

/** What one layer's forward pass keeps for its backward pass (buffers for `batch` examples). */
interface LayerActivations {
  readonly q: number;
  readonly k: number;
  readonly v: number;
  readonly p: number;
  readonly context: number;
  readonly norm1: number;
  readonly rstd1: number;
  readonly attended: number;
  readonly u: number;
  readonly norm2: number;
  readonly rstd2: number;
}

/**
 * The bert backbone's frozen encoder layers on the kernels, forward (keeping what the backward pass
 * needs) and backward to each layer's input (the weights never change): self-attention with the
 * padding mask, residual + LayerNorm, GELU feed-forward, residual + LayerNorm, exactly as
 * bert/bertBackbone.ts computes them with TF.js. Token rows are [examples * tokens x hidden].
 */
export class BertLayers implements FrozenStack {
  readonly layers: number;
  readonly tokens: number;
  readonly dim: number;
  private readonly k: KernelExports;
  private readonly heads: number;
  private readonly headWidth: number;
  private readonly weights: {
    q: DenseBuffers;
    k: DenseBuffers;
    v: DenseBuffers;
    o: DenseBuffers;
    up: DenseBuffers;
    down: DenseBuffers;
    g1: number;
    b1: number;
    g2: number;
    b2: number;
  }[] = [];
  private readonly saved: LayerActivations[] = [];
  private readonly embedNorm: { g: number; b: number };
  // Scratch, sized for `batch` examples.
  private readonly t1: number;
  private readonly t2: number;
  private readonly wide: number;
  private readonly wide2: number;
  private readonly headsA: number;
  private readonly headsB: number;
  private readonly headsC: number;
  private readonly scores: number;
  private readonly rstd: number;

  constructor(
    private readonly heap: KernelHeap,
    private readonly plain: PlainBert,
    /** Largest number of examples per call. */
    readonly batch: number,
  ) {
    this.k = heap.k;
    this.layers = plain.layers.length;
    this.tokens = plain.maxLength;
    this.dim = plain.hidden;
    this.heads = plain.heads;
    this.headWidth = plain.hidden / plain.heads;
    const n = batch * this.tokens;
    const d = this.dim;
    const wide = plain.intermediate;
    const dense = (p: PlainDense, inputs: number, outputs: number): DenseBuffers => {
      const w = heap.allocFrom(p.w);
      const wT = heap.alloc(inputs * outputs);
      heap.k.transpose(w, wT, inputs, outputs);
      return { w, wT, b: heap.allocFrom(p.b), out: outputs };
    };
    for (const layer of plain.layers) {
      this.weights.push({
        q: dense(layer.q, d, d),
        k: dense(layer.k, d, d),
        v: dense(layer.v, d, d),
        o: dense(layer.o, d, d),
        up: dense(layer.up, d, wide),
        down: dense(layer.down, wide, d),
        g1: heap.allocFrom(layer.norm1.g),
        b1: heap.allocFrom(layer.norm1.b),
        g2: heap.allocFrom(layer.norm2.g),
        b2: heap.allocFrom(layer.norm2.b),
      });
      this.saved.push({
        q: heap.alloc(n * d),
        k: heap.alloc(n * d),
        v: heap.alloc(n * d),
        p: heap.alloc(batch * this.heads * this.tokens * this.tokens),
        context: heap.alloc(n * d),
        norm1: heap.alloc(n * d),
        rstd1: heap.alloc(n),
        attended: heap.alloc(n * d),
        u: heap.alloc(n * wide),
        norm2: heap.alloc(n * d),
        rstd2: heap.alloc(n),
      });
    }
    this.embedNorm = {
      g: heap.allocFrom(plain.embeddings.norm.g),
      b: heap.allocFrom(plain.embeddings.norm.b),
    };
    this.t1 = heap.alloc(n * d);
    this.t2 = heap.alloc(n * d);
    this.wide = heap.alloc(n * wide);
    this.wide2 = heap.alloc(n * wide);
    this.headsA = heap.alloc(n * d);
    this.headsB = heap.alloc(n * d);
    this.headsC = heap.alloc(n * d);
    this.scores = heap.alloc(batch * this.heads * this.tokens * this.tokens);
    this.rstd = heap.alloc(n);
  }

  /**
   * The embeddings of `count` rows of token ids into `out` [count * tokens x hidden] (word +
   * position + type 0, LayerNorm with its scale and shift) and the padding mask into `mask`
   * [count x tokens] (1 for real tokens).
   */
  input(ids: Float32Array, count: number, out: number, mask: number): void {
    const { dim, tokens } = this;
    const { word, position, type } = this.plain.embeddings;
    const x = this.heap.f32(this.t1, count * tokens * dim);
    const m = this.heap.f32(mask, count * tokens);
    for (let r = 0; r < count * tokens; r++) {
      const id = ids[r] ?? 0;
      const t = r % tokens;
      m[r] = id === this.plain.padId ? 0 : 1;
      for (let j = 0; j < dim; j++)
        x[r * dim + j] = (word[id * dim + j] ?? 0) + (position[t * dim + j] ?? 0) + (type[j] ?? 0);
    }
    this.k.layerNorm(this.t1, this.t2, this.rstd, count * tokens, dim, this.plain.eps);
    this.k.affine(this.t2, this.embedNorm.g, this.embedNorm.b, out, count * tokens, dim);
  }

  /** Layer l on `count` examples: x [count * tokens x hidden] -> out (may not alias x). */
  forward(l: number, x: number, mask: number, out: number, count: number): void {
    const w = this.weights[l];
    const a = this.saved[l];
    if (w === undefined || a === undefined) throw new Error(`no bert layer ${l}`);
    const k = this.k;
    const { dim, tokens, heads, headWidth: dh } = this;
    const n = count * tokens;
    const project = (p: DenseBuffers, input: number, output: number, rows: number, inputs: number): void => {
      k.gemm(input, p.w, output, rows, inputs, p.out, 0);
      k.addBias(output, p.b, rows, p.out);
    };
    project(w.q, x, this.t1, n, dim);
    k.splitHeads(this.t1, a.q, count, tokens, heads, dh);
    project(w.k, x, this.t1, n, dim);
    k.splitHeads(this.t1, a.k, count, tokens, heads, dh);
    project(w.v, x, this.t1, n, dim);
    k.splitHeads(this.t1, a.v, count, tokens, heads, dh);
    const block = tokens * dh * 4;
    const square = tokens * tokens * 4;
    for (let bh = 0; bh < count * heads; bh++)
      k.gemmNT(a.q + bh * block, a.k + bh * block, a.p + bh * square, tokens, dh, tokens, 0);
    k.attentionSoftmax(a.p, mask, count, heads, tokens, 1 / Math.sqrt(dh));
    for (let bh = 0; bh < count * heads; bh++)
      k.gemm(a.p + bh * square, a.v + bh * block, this.headsA + bh * block, tokens, tokens, dh, 0);
    k.mergeHeads(this.headsA, a.context, count, tokens, heads, dh);
    project(w.o, a.context, this.t1, n, dim);
    k.add(this.t1, x, this.t1, n * dim);
    k.layerNorm(this.t1, a.norm1, a.rstd1, n, dim, this.plain.eps);
    k.affine(a.norm1, w.g1, w.b1, a.attended, n, dim);
    project(w.up, a.attended, a.u, n, dim);
    k.gelu(a.u, this.wide, n * this.plain.intermediate);
    project(w.down, this.wide, this.t1, n, this.plain.intermediate);
    k.add(this.t1, a.attended, this.t1, n * dim);
    k.layerNorm(this.t1, a.norm2, a.rstd2, n, dim, this.plain.eps);
    k.affine(a.norm2, w.g2, w.b2, out, n, dim);
  }

  /** d(loss)/d(x) of layer l into gradX, from d(loss)/d(out) in gradOut (left as scratch-modified). */
  backward(l: number, gradOut: number, gradX: number, count: number): void {
    const w = this.weights[l];
    const a = this.saved[l];
    if (w === undefined || a === undefined) throw new Error(`no bert layer ${l}`);
    const k = this.k;
    const { dim, tokens, heads, headWidth: dh } = this;
    const wide = this.plain.intermediate;
    const n = count * tokens;
    // Second LayerNorm (with its scale) and the feed-forward block; dA collects into t2.
    k.affine(gradOut, w.g2, 0, this.t1, n, dim);
    k.layerNormBackward(this.t1, a.norm2, a.rstd2, this.t2, n, dim);
    k.gemm(this.t2, w.down.wT, this.wide, n, dim, wide, 0);
    k.geluBackward(a.u, this.wide, this.wide2, n * wide);
    k.gemm(this.wide2, w.up.wT, this.t2, n, wide, dim, 1);
    // First LayerNorm; dS1 (into gradX: the residual passes it to x unchanged).
    k.affine(this.t2, w.g1, 0, this.t1, n, dim);
    k.layerNormBackward(this.t1, a.norm1, a.rstd1, gradX, n, dim);
    // Attention: d(context) = dS1 Wo^T, per head.
    k.gemm(gradX, w.o.wT, this.t1, n, dim, dim, 0);
    k.splitHeads(this.t1, this.headsA, count, tokens, heads, dh);
    const block = tokens * dh * 4;
    const square = tokens * tokens * 4;
    for (let bh = 0; bh < count * heads; bh++) {
      k.gemmNT(this.headsA + bh * block, a.v + bh * block, this.scores + bh * square, tokens, dh, tokens, 0);
      k.gemmTN(a.p + bh * square, this.headsA + bh * block, this.headsC + bh * block, tokens, tokens, dh, 0);
    }
    // headsC holds dV; scores holds dP -> dS (through the softmax and the scale, in place).
    k.softmaxBackward(a.p, this.scores, this.scores, count * heads * tokens, tokens, 1 / Math.sqrt(dh));
    k.mergeHeads(this.headsC, this.t1, count, tokens, heads, dh);
    k.gemm(this.t1, w.v.wT, gradX, n, dim, dim, 1);
    for (let bh = 0; bh < count * heads; bh++) {
      k.gemm(this.scores + bh * square, a.k + bh * block, this.headsA + bh * block, tokens, tokens, dh, 0);
      k.gemmTN(this.scores + bh * square, a.q + bh * block, this.headsB + bh * block, tokens, tokens, dh, 0);
    }
    k.mergeHeads(this.headsA, this.t1, count, tokens, heads, dh);
    k.gemm(this.t1, w.q.wT, gradX, n, dim, dim, 1);
    k.mergeHeads(this.headsB, this.t1, count, tokens, heads, dh);
    k.gemm(this.t1, w.k.wT, gradX, n, dim, dim, 1);
  }
}
