import type { RouterActivation, TilRouting } from '../../protocol/spec';
import type { FrozenBackbone } from '../model/backbone';
import type { PlainBert } from './bertLayers';
import { BertLayers } from './bertLayers';
import type { FrozenStack } from './frozenLayers';
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

/** The frozen backbone as plain numbers: the default backbone's layers, or a bert encoder. */
export type PlainFrozen =
  | { readonly kind: 'vector'; readonly layers: readonly Float32Array[] }
  | { readonly kind: 'bert'; readonly bert: PlainBert };

/** The backbone's plain numbers when it has them (default and bert backbones). */
export function plainFrozenOf(
  frozen: Pick<FrozenBackbone, 'plainLayers' | 'plainBert'>,
): PlainFrozen | undefined {
  if (frozen.plainLayers !== undefined) return { kind: 'vector', layers: frozen.plainLayers };
  if (frozen.plainBert !== undefined) return { kind: 'bert', bert: frozen.plainBert };
  return undefined;
}

/** The frozen layers on the kernels for a backbone: the default one's, or bert's encoder. */
export function frozenStack(
  heap: KernelHeap,
  backbone: PlainFrozen,
  dim: number,
  batch: number,
): FrozenStack {
  return backbone.kind === 'vector'
    ? new FrozenLayers(heap, backbone.layers, dim, batch)
    : new BertLayers(heap, backbone.bert, batch);
}

/** A head as plain numbers: W [dim x classes], b [classes]. */
export interface PlainHead {
  readonly headW: Float32Array;
  readonly headB: Float32Array;
}

/** TIL's pass of its own: its routing, the head it predicts with, and the examples' task. */
export interface PlainTil {
  readonly routing: TilRouting;
  readonly head: PlainHead;
  readonly task: number;
}

/** One batch's outputs: union logits, raw scores (layer-major) and, with a TIL pass, its logits. */
export interface BatchOutputs {
  readonly logits: Float32Array;
  readonly scores: Float32Array;
  readonly tilLogits?: Float32Array;
}

/**
 * Inference through the default backbone on the kernels: the composed pass of `forwardScored`
 * (wavg, or merge by the linearity of the merged adapter: relu(y Σ w_t D_t + Σ w_t d_t) =
 * relu(Σ w_t (y D_t + d_t)), and likewise for the up-projection, so both run on the packed
 * adapters), one task's own path (`forwardSingle`), and head logits. With a bert encoder the
 * adapters run on every token, routers and heads see the masked mean of the tokens.
 */
export class ComposedNet {
  private readonly k: KernelExports;
  private readonly stack: FrozenStack;
  /** Rows per example: 1 for the default backbone, the sequence length for bert. */
  private readonly tokens: number;
  private readonly mask: number;
  private readonly pooled: number;
  private readonly wRows: number;
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
  /** Layer 0's frozen output of the last composed pass: the task's own path on the same rows reuses it. */
  private readonly y0: number;
  private readonly z: number;
  private readonly z2: number;
  private readonly w: number;
  private readonly logits: number;
  /** A bias of zeros (merge applies its ReLU after the weighted sum of biased pre-activations). */
  private readonly zeros: number;
  // The scorer's router transposed and the extra head, in buffers made once: a net serves many calls.
  private readonly routerT: number[] = [];
  private readonly routerStaging: number;
  private currentRouter: PlainScorer | undefined;
  private readonly extraHead: { w: number; bias: number; out: number };
  private currentHead: PlainHead | undefined;

  constructor(
    private readonly heap: KernelHeap,
    backbone: PlainFrozen,
    modules: readonly PlainTaskModule[],
    private readonly dim: number,
    private readonly bottleneck: number,
    private readonly batch: number,
  ) {
    this.k = heap.k;
    this.stack = frozenStack(heap, backbone, dim, batch);
    this.layers = this.stack.layers;
    this.tokens = this.stack.tokens;
    const rows = batch * this.tokens;
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
    this.h = heap.alloc(rows * dim);
    this.h2 = heap.alloc(rows * dim);
    this.y0 = heap.alloc(rows * dim);
    this.z = heap.alloc(rows * this.width);
    this.z2 = heap.alloc(rows * this.width);
    this.w = heap.alloc(batch * this.tasks);
    this.wRows = heap.alloc(rows * this.tasks);
    this.mask = heap.alloc(rows);
    this.pooled = heap.alloc(batch * dim);
    this.logits = heap.alloc(batch * Math.max(union, 1));
    this.routerStaging = heap.alloc(dim * this.tasks);
    for (let l = 0; l < this.layers; l++) this.routerT.push(heap.alloc(this.tasks * dim));
    const widest = Math.max(1, ...modules.map((m) => m.classes));
    this.extraHead = {
      w: heap.alloc(dim * widest),
      bias: heap.alloc(widest),
      out: heap.alloc(batch * widest),
    };
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
    const n = count * this.tokens;
    // h holds each layer's input and then its adapter's output; the frozen layer's output y is in y0
    // for layer 0 (kept for forwardSingle on the same rows) and in h2 after it.
    const out = this.h;
    this.stack.input(rows, count, this.h, this.mask);
    for (let l = 0; l < L; l++) {
      const y = l === 0 ? this.y0 : this.h2;
      this.stack.forward(l, this.h, this.mask, y, count);
      this.score(scorer, l, this.pool(y, count), count, scores, ownTask);
      const w = this.weightsPerRow(count);
      const pack = this.packed[l];
      if (pack === undefined) throw new Error(`no adapters at layer ${l}`);
      k.gemm(y, pack.down, this.z, n, dim, this.width, 0);
      let hidden: number;
      if (composition === 'wavg') {
        k.addBiasRelu(this.z, pack.downBias, n, this.width);
        k.scaleBlocks(this.z, w, this.z2, n, T, this.bottleneck);
        hidden = this.z2;
      } else {
        k.addBias(this.z, pack.downBias, n, this.width);
        k.blockWeightedSum(this.z, w, this.z2, n, T, this.bottleneck);
        k.addBiasRelu(this.z2, this.zeros, n, this.bottleneck);
        k.expandBlocks(this.z2, w, this.z, n, T, this.bottleneck);
        hidden = this.z;
      }
      k.gemm(hidden, pack.up, out, n, this.width, dim, 0);
      k.gemm(w, pack.upBias, out, n, T, dim, 1);
      k.add(out, y, out, n * dim);
    }
    return { h: this.pool(out, count), scores };
  }

  /** A batch's predictions as predictComposed consumes them (the composed pass, then TIL's own). */
  predict(
    rows: Float32Array,
    count: number,
    scorer: PlainScorer,
    composition: 'wavg' | 'merge',
    til?: PlainTil,
  ): BatchOutputs {
    const { h, scores } = this.forward(rows, count, scorer, composition);
    const logits = this.unionLogits(h, count);
    if (til === undefined) return { logits, scores };
    const tilH =
      til.routing === 'task'
        ? this.forwardSingle(rows, count, til.task, true)
        : til.routing === 'task_plus_routed'
          ? this.forward(rows, count, scorer, composition, til.task).h
          : h;
    return { logits, scores, tilLogits: this.headLogits(tilH, count, til.head) };
  }

  /**
   * Task t's own path: every layer followed by its adapter only. Returns the pooled output. With
   * `sameRowsAsForward`, the rows are those of the last `forward` call: the frozen layer 0 (before
   * any adapter, so the same in both passes) is not computed again.
   */
  forwardSingle(rows: Float32Array, count: number, t: number, sameRowsAsForward = false): number {
    const { dim, k } = this;
    const b = this.bottleneck;
    this.check(count);
    const packs = this.single[t];
    if (packs === undefined) throw new Error(`no module ${t}`);
    const n = count * this.tokens;
    const out = this.h;
    if (!sameRowsAsForward) this.stack.input(rows, count, this.h, this.mask);
    for (let l = 0; l < this.layers; l++) {
      const y = l === 0 ? this.y0 : this.h2;
      if (l > 0 || !sameRowsAsForward) this.stack.forward(l, this.h, this.mask, y, count);
      const pack = packs[l];
      if (pack === undefined) throw new Error(`no adapter at layer ${l}`);
      k.gemm(y, pack.down, this.z, n, dim, b, 0);
      k.addBiasRelu(this.z, pack.downBias, n, b);
      k.gemm(this.z, pack.up, out, n, b, dim, 0);
      k.addBias(out, pack.upBias, n, dim);
      k.add(out, y, out, n * dim);
    }
    return this.pool(out, count);
  }

  /** One vector per example: the rows themselves, or the masked mean of each example's tokens. */
  private pool(h: number, count: number): number {
    if (this.tokens === 1) return h;
    this.k.maskedMean(h, this.mask, this.pooled, count, this.tokens, this.dim);
    return this.pooled;
  }

  /** The normalised weights (in this.w, one row per example) repeated for every token row. */
  private weightsPerRow(count: number): number {
    if (this.tokens === 1) return this.w;
    const T = this.tasks;
    const perExample = this.heap.f32(this.w, count * T);
    const perRow = this.heap.f32(this.wRows, count * this.tokens * T);
    for (let i = 0; i < count; i++)
      for (let t = 0; t < this.tokens; t++)
        perRow.set(perExample.subarray(i * T, (i + 1) * T), (i * this.tokens + t) * T);
    return this.wRows;
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
    const { w, bias, out } = this.extraHead;
    if (head !== this.currentHead) {
      this.heap.f32(w, head.headW.length).set(head.headW);
      this.heap.f32(bias, classes).set(head.headB);
      this.currentHead = head;
    }
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
    if (scorer.kind === 'router' && scorer !== this.currentRouter) this.useRouter(scorer);
    const raw = this.heap.f32(this.w, count * T);
    if (scorer.kind === 'router') {
      const r = scorer.router[l];
      if (r === undefined) throw new Error(`no router for layer ${l}`);
      this.k.gemmNT(y, this.routerT[l] ?? 0, this.w, count, this.dim, T, 0);
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

  /** Transposes the router's weights into the buffers made for them. */
  private useRouter(scorer: Extract<PlainScorer, { kind: 'router' }>): void {
    scorer.router.forEach((r, l) => {
      if (r.w.length !== this.dim * this.tasks)
        throw new Error(`router layer ${l} has ${r.w.length} weights`);
      this.heap.f32(this.routerStaging, r.w.length).set(r.w);
      this.k.transpose(this.routerStaging, this.routerT[l] ?? 0, this.dim, this.tasks);
    });
    this.currentRouter = scorer;
  }

  private check(count: number): void {
    if (count > this.batch) throw new Error(`batch of ${count} exceeds ${this.batch}`);
  }
}
