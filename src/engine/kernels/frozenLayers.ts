import type { KernelExports, KernelHeap } from './module';

const layerNormEps = 1e-5;

/**
 * A frozen backbone on the kernels, as the nets use it: the rows entering layer 0, each layer
 * forward (keeping what its backward pass needs) and backward to the layer's input (the weights never
 * change). Rows are [examples * tokens x dim]; `tokens` is 1 for the default backbone.
 */
export interface FrozenStack {
  readonly layers: number;
  readonly tokens: number;
  /** The rows entering layer 0 for `count` examples, into `out`, and (token backbones) their mask. */
  input(rows: Float32Array, count: number, out: number, mask: number): void;
  /** Layer l: x -> y. The default backbone allows y = x; bert's needs them apart. */
  forward(l: number, x: number, mask: number, y: number, count: number): void;
  /** d(loss)/d(x) of layer l into gradX from d(loss)/d(y) in gradY (its last forward pass's). */
  backward(l: number, gradY: number, gradX: number, count: number): void;
}

/** The default backbone's frozen layers h <- LN(h + GELU(h W_l)). */
export class FrozenLayers implements FrozenStack {
  readonly layers: number;
  readonly tokens = 1;
  private readonly k: KernelExports;
  private readonly w: number[] = [];
  private readonly wT: number[] = [];
  /** Per layer, from its last forward pass: u = h W, 1 / sqrt(var + eps), and where y went. */
  private readonly u: number[] = [];
  private readonly rstd: number[] = [];
  private readonly y: number[] = [];
  private readonly s: number;

  constructor(
    private readonly heap: KernelHeap,
    weights: readonly Float32Array[],
    readonly dim: number,
    /** Largest number of rows per call. */
    batch: number,
  ) {
    this.k = heap.k;
    this.layers = weights.length;
    for (const weight of weights) {
      if (weight.length !== dim * dim)
        throw new Error(`a frozen layer has ${weight.length} numbers, not ${dim}²`);
      const w = heap.allocFrom(weight);
      const t = heap.alloc(dim * dim);
      this.k.transpose(w, t, dim, dim);
      this.w.push(w);
      this.wT.push(t);
      this.u.push(heap.alloc(batch * dim));
      this.rstd.push(heap.alloc(batch));
      this.y.push(0);
    }
    this.s = heap.alloc(batch * dim);
  }

  input(rows: Float32Array, count: number, out: number): void {
    if (rows.length < count * this.dim) throw new Error(`expected ${count} rows of ${this.dim} numbers`);
    this.heap.f32(out, count * this.dim).set(rows.subarray(0, count * this.dim));
  }

  forward(l: number, x: number, _mask: number, y: number, count: number): void {
    const { dim } = this;
    const u = this.u[l] ?? 0;
    this.k.gemm(x, this.w[l] ?? 0, u, count, dim, dim, 0);
    this.k.residualGelu(x, u, this.s, count * dim);
    this.k.layerNorm(this.s, y, this.rstd[l] ?? 0, count, dim, layerNormEps);
    this.y[l] = y;
  }

  backward(l: number, gradY: number, gradX: number, count: number): void {
    const { dim } = this;
    this.k.layerNormBackward(gradY, this.y[l] ?? 0, this.rstd[l] ?? 0, gradX, count, dim);
    this.k.geluBackward(this.u[l] ?? 0, gradX, this.s, count * dim);
    this.k.gemm(this.s, this.wT[l] ?? 0, gradX, count, dim, dim, 1);
  }
}
