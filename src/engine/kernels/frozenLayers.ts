import type { KernelExports, KernelHeap } from './module';

const layerNormEps = 1e-5;

/**
 * The default backbone's frozen layers h <- LN(h + GELU(h W_l)) on the kernels, forward and backward
 * (to the layer's input only: the weights never change). Layer 0 sits below every adapter, so its
 * output is a constant of each example: `cacheLayer0` computes it once per set of rows.
 */
export class FrozenLayers {
  readonly layers: number;
  private readonly k: KernelExports;
  private readonly w: number[] = [];
  private readonly wT: number[] = [];

  constructor(
    private readonly heap: KernelHeap,
    weights: readonly Float32Array[],
    readonly dim: number,
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
    }
  }

  /** Layer 0's output for `count` rows of stem features, in a new buffer [count x dim]. */
  cacheLayer0(rows: Float32Array, count: number): number {
    const { dim } = this;
    if (rows.length !== count * dim) throw new Error(`expected ${count} rows of ${dim} numbers`);
    const out = this.heap.alloc(count * dim);
    const chunk = 256;
    const input = this.heap.allocFrom(rows);
    const u = this.heap.alloc(chunk * dim);
    const s = this.heap.alloc(chunk * dim);
    const rstd = this.heap.alloc(chunk);
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      this.forward(0, input + start * dim * 4, u, s, out + start * dim * 4, rstd, n);
    }
    return out;
  }

  /** y = LN(h + GELU(u)) with u = h W_l; keeps u, y and rstd for the backward pass (s is scratch). */
  forward(l: number, h: number, u: number, s: number, y: number, rstd: number, count: number): void {
    const { dim } = this;
    this.k.gemm(h, this.w[l] ?? 0, u, count, dim, dim, 0);
    this.k.residualGelu(h, u, s, count * dim);
    this.k.layerNorm(s, y, rstd, count, dim, layerNormEps);
  }

  /**
   * d(loss)/d(h) into gradH from d(loss)/d(y) in gradY, with the forward pass's u, y and rstd
   * (scratch: count x dim).
   */
  backward(
    l: number,
    gradY: number,
    u: number,
    y: number,
    rstd: number,
    gradH: number,
    scratch: number,
    count: number,
  ): void {
    const { dim } = this;
    this.k.layerNormBackward(gradY, y, rstd, gradH, count, dim);
    this.k.geluBackward(u, gradH, scratch, count * dim);
    this.k.gemm(scratch, this.wT[l] ?? 0, gradH, count, dim, dim, 1);
  }
}
