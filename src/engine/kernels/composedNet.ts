import type { RouterActivation } from '../../protocol/spec';
import { FrozenLayers } from './frozenLayers';
import type { KernelExports, KernelHeap } from './module';
import type { PackedLayerBuffers, PlainTaskModule } from './packedAdapters';
import { packAdapterBuffers } from './packedAdapters';

/**
 * A scorer as plain numbers (the kernels' twin of model/forward.ts's Scorer): trained per-layer
 * routers at inference (no noise, no temperature), or the same given weights at every layer.
 */
export type PlainScorer =
  | {
      readonly kind: 'router';
      readonly router: readonly { readonly w: Float32Array; readonly b: Float32Array }[];
      readonly activation: RouterActivation;
    }
  | { readonly kind: 'fixed'; readonly weights: Float32Array };

/** A head as plain numbers: W [dim x classes], b [classes]. */
export interface PlainHead {
  readonly headW: Float32Array;
  readonly headB: Float32Array;
}

/**
 * Inference through the default backbone on the kernels: the composed pass of `forwardScored`
 * (wavg, or merge by the linearity of the merged adapter: relu(y Σ w_t D_t + Σ w_t d_t) =
 * relu(Σ w_t (y D_t + d_t)), and likewise for the up-projection, so both run on the packed
 * adapters), one task's own path (`forwardSingle`), and head logits.
 */
export class ComposedNet {
  private readonly k: KernelExports;
  private readonly frozen: FrozenLayers;
  private readonly packed: PackedLayerBuffers[];
  private readonly layers: number;
  private readonly tasks: number;
  private readonly width: number;
  private readonly unionClasses: number;
  private readonly classOffsets: number[] = [];
  private readonly headsT: number;
  private readonly unionBias: number;
  private readonly single: PackedLayerBuffers[][];
  private readonly h: number;
  private readonly h2: number;
  private readonly u: number;
  private readonly s: number;
  private readonly rstd: number;
  private readonly z: number;
  private readonly z2: number;
  private readonly w: number;
  private readonly logits: number;
  /** A bias of zeros (merge applies its ReLU after the weighted sum of biased pre-activations). */
  private readonly zeros: number;
  private readonly routerT = new Map<PlainScorer, number[]>();
  private readonly preparedHeads = new Map<PlainHead, { w: number; bias: number; out: number }>();

  constructor(
    private readonly heap: KernelHeap,
    frozenWeights: readonly Float32Array[],
    modules: readonly PlainTaskModule[],
    private readonly dim: number,
    private readonly bottleneck: number,
    private readonly batch: number,
  ) {
    this.k = heap.k;
    this.frozen = new FrozenLayers(heap, frozenWeights, dim);
    this.layers = frozenWeights.length;
    this.tasks = modules.length;
    this.width = this.tasks * bottleneck;
    this.packed = packAdapterBuffers(heap, modules, this.layers, dim, bottleneck);
    // Each module alone, for its own path (a pack of one).
    this.single = modules.map((m) => packAdapterBuffers(heap, [m], this.layers, dim, bottleneck));
    let union = 0;
    for (const m of modules) {
      this.classOffsets.push(union);
      union += m.classes;
    }
    this.unionClasses = union;
    this.headsT = heap.alloc(union * dim);
    const bias = new Float32Array(union);
    modules.forEach((m, t) => {
      const offset = this.classOffsets[t] ?? 0;
      const w = heap.allocFrom(m.headW);
      this.k.transpose(w, this.headsT + offset * dim * 4, dim, m.classes);
      bias.set(m.headB, offset);
    });
    this.unionBias = heap.allocFrom(bias);
    this.h = heap.alloc(batch * dim);
    this.h2 = heap.alloc(batch * dim);
    this.u = heap.alloc(batch * dim);
    this.s = heap.alloc(batch * dim);
    this.rstd = heap.alloc(batch);
    this.z = heap.alloc(batch * this.width);
    this.z2 = heap.alloc(batch * this.width);
    this.w = heap.alloc(batch * this.tasks);
    this.logits = heap.alloc(batch * Math.max(union, 1));
    this.zeros = heap.alloc(bottleneck);
  }

  get classes(): number {
    return this.unionClasses;
  }

  /**
   * The composed pass over `count` rows of stem features: returns the pooled output (a byte offset,
   * valid until the next call) and the raw scores per example, layer-major ([count][layers][tasks],
   * as the TF.js path stacks them). `ownTask` keeps that task's adapter fully on (TIL with the task
   * plus the routed others).
   */
  forward(
    rows: Float32Array,
    count: number,
    scorer: PlainScorer,
    composition: 'wavg' | 'merge',
    ownTask?: number,
  ): { h: number; scores: Float32Array } {
    const { dim, k } = this;
    const T = this.tasks;
    const L = this.layers;
    this.check(count);
    const scores = new Float32Array(count * L * T);
    // y is computed in place over the layer's input (the frozen layer reads it before writing).
    let y = this.h;
    let out = this.h2;
    this.heap.f32(y, count * dim).set(rows.subarray(0, count * dim));
    for (let l = 0; l < L; l++) {
      this.frozen.forward(l, y, this.u, this.s, y, this.rstd, count);
      this.score(scorer, l, y, count, scores, ownTask);
      const pack = this.packed[l];
      if (pack === undefined) throw new Error(`no adapters at layer ${l}`);
      k.gemm(y, pack.down, this.z, count, dim, this.width, 0);
      let hidden: number;
      if (composition === 'wavg') {
        k.addBiasRelu(this.z, pack.downBias, count, this.width);
        k.scaleBlocks(this.z, this.w, this.z2, count, T, this.bottleneck);
        hidden = this.z2;
      } else {
        k.addBias(this.z, pack.downBias, count, this.width);
        k.blockWeightedSum(this.z, this.w, this.z2, count, T, this.bottleneck);
        k.addBiasRelu(this.z2, this.zeros, count, this.bottleneck);
        k.expandBlocks(this.z2, this.w, this.z, count, T, this.bottleneck);
        hidden = this.z;
      }
      k.gemm(hidden, pack.up, out, count, this.width, dim, 0);
      k.gemm(this.w, pack.upBias, out, count, T, dim, 1);
      k.add(out, y, out, count * dim);
      [y, out] = [out, y];
    }
    return { h: y, scores };
  }

  /** Task t's own path: every layer followed by its adapter only. Returns the pooled output. */
  forwardSingle(rows: Float32Array, count: number, t: number): number {
    const { dim, k } = this;
    const b = this.bottleneck;
    this.check(count);
    const packs = this.single[t];
    if (packs === undefined) throw new Error(`no module ${t}`);
    let y = this.h;
    let out = this.h2;
    this.heap.f32(y, count * dim).set(rows.subarray(0, count * dim));
    for (let l = 0; l < this.layers; l++) {
      this.frozen.forward(l, y, this.u, this.s, y, this.rstd, count);
      const pack = packs[l];
      if (pack === undefined) throw new Error(`no adapter at layer ${l}`);
      k.gemm(y, pack.down, this.z, count, dim, b, 0);
      k.addBiasRelu(this.z, pack.downBias, count, b);
      k.gemm(this.z, pack.up, out, count, b, dim, 0);
      k.addBias(out, pack.upBias, count, dim);
      k.add(out, y, out, count * dim);
      [y, out] = [out, y];
    }
    return y;
  }

  /** Logits over the union of the modules' classes for a pooled output (a copy). */
  unionLogits(h: number, count: number): Float32Array {
    const C = this.unionClasses;
    this.k.gemmNT(h, this.headsT, this.logits, count, this.dim, C, 0);
    this.k.addBias(this.logits, this.unionBias, count, C);
    return this.heap.f32(this.logits, count * C).slice();
  }

  /** Logits of one given head (e.g. a saved isolated head) for a pooled output (a copy). */
  headLogits(h: number, count: number, head: PlainHead): Float32Array {
    const classes = head.headB.length;
    let prepared = this.preparedHeads.get(head);
    if (prepared === undefined) {
      prepared = {
        w: this.heap.allocFrom(head.headW),
        bias: this.heap.allocFrom(head.headB),
        out: this.heap.alloc(this.batch * classes),
      };
      this.preparedHeads.set(head, prepared);
    }
    const { w, bias, out } = prepared;
    this.k.gemm(h, w, out, count, this.dim, classes, 0);
    this.k.addBias(out, bias, count, classes);
    return this.heap.f32(out, count * classes).slice();
  }

  /** Scores of layer l from its input y into `scores` (raw) and the normalised weights into this.w. */
  private score(
    scorer: PlainScorer,
    l: number,
    y: number,
    count: number,
    scores: Float32Array,
    ownTask: number | undefined,
  ): void {
    const T = this.tasks;
    const L = this.layers;
    // Anything that allocates (and may grow the memory, detaching views) comes before the view.
    const transposed = scorer.kind === 'router' ? this.routerTranspose(scorer) : [];
    const raw = this.heap.f32(this.w, count * T);
    if (scorer.kind === 'router') {
      const r = scorer.router[l];
      if (r === undefined) throw new Error(`no router for layer ${l}`);
      this.k.gemmNT(y, transposed[l] ?? 0, this.w, count, this.dim, T, 0);
      for (let i = 0; i < count; i++) {
        let max = -Infinity;
        for (let t = 0; t < T; t++) {
          const a = raw[i * T + t]! + r.b[t]!;
          raw[i * T + t] = a;
          if (a > max) max = a;
        }
        if (scorer.activation === 'softmax') {
          let sum = 0;
          for (let t = 0; t < T; t++) sum += raw[i * T + t] = Math.exp(raw[i * T + t]! - max);
          for (let t = 0; t < T; t++) raw[i * T + t] = raw[i * T + t]! / sum;
        } else for (let t = 0; t < T; t++) raw[i * T + t] = 1 / (1 + Math.exp(-raw[i * T + t]!));
      }
    } else raw.set(scorer.weights.subarray(0, count * T));
    for (let i = 0; i < count; i++) {
      if (ownTask !== undefined) raw[i * T + ownTask] = Math.max(raw[i * T + ownTask]!, 1);
      let total = 0;
      for (let t = 0; t < T; t++) {
        const v = raw[i * T + t]!;
        scores[(i * L + l) * T + t] = v;
        total += v;
      }
      const norm = Math.max(total, 1e-12);
      for (let t = 0; t < T; t++) raw[i * T + t] = raw[i * T + t]! / norm;
    }
  }

  private routerTranspose(scorer: Extract<PlainScorer, { kind: 'router' }>): number[] {
    let transposed = this.routerT.get(scorer);
    if (transposed === undefined) {
      transposed = scorer.router.map((r) => {
        const w = this.heap.allocFrom(r.w);
        const t = this.heap.alloc(r.w.length);
        this.k.transpose(w, t, this.dim, this.tasks);
        return t;
      });
      this.routerT.set(scorer, transposed);
    }
    return transposed;
  }

  private check(count: number): void {
    if (count > this.batch) throw new Error(`batch of ${count} exceeds ${this.batch}`);
  }
}
