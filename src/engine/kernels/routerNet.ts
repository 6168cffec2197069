import type { RouterActivation } from '../../protocol/spec';
import { readParams, writeParams } from './adapterOps';
import type { PlainFrozen } from './composedNet';
import { frozenStack } from './composedNet';
import type { FrozenStack } from './frozenLayers';
import { LayerZero } from './layerZero';
import type { KernelExports, KernelHeap } from './module';
import type { PackedLayerBuffers, PlainTaskModule } from './packedAdapters';
import { packAdapterBuffers } from './packedAdapters';

export interface RouterNetOptions {
  readonly dim: number;
  readonly bottleneck: number;
  /** Largest batch a step will see. */
  readonly batch: number;
  readonly activation: RouterActivation;
  readonly temperature: number;
  /** The heads are trained too (their parameters follow the routers' in the flat buffer). */
  readonly tuneHeads: boolean;
  /** Weight of the per-layer binary cross-entropy toward each row's own task (0: off). */
  readonly taskSupervision: number;
  /** Weight of the L2 pull of tuned heads toward `anchors` (0: off). */
  readonly headAnchor: number;
}

/**
 * L2R's router training on the kernels: the composed (wavg) forward pass of `forwardComposed` with
 * the adapters packed per layer, the union-of-heads cross-entropy, the optional task supervision and
 * head anchor of `trainRouter`, and their gradients for the routers (and tuned heads). Parameters
 * are laid out as `routerVariables` then (with tuneHeads) every module's `headVariables`.
 */
export class RouterNet {
  readonly size: number;
  readonly params: number;
  readonly grads: number;
  /** Each trainable tensor's offset (floats) and length, in variable order. */
  readonly pieces: { readonly offset: number; readonly length: number }[] = [];
  private readonly k: KernelExports;
  private readonly stack: FrozenStack;
  private readonly layerZero: LayerZero;
  /** Rows per example: 1 for the default backbone, the sequence length for bert. */
  private readonly tokens: number;
  private readonly mask: number;
  /** Per layer: what the router saw (the rows themselves, or each example's masked token mean). */
  private readonly pooled: number[] = [];
  private readonly wRows: number;
  private readonly dwRows: number;
  private readonly dPooled: number;
  private readonly layers: number;
  private readonly tasks: number;
  private readonly width: number;
  private readonly unionClasses: number;
  private readonly classOffsets: number[] = [];
  private readonly packed: PackedLayerBuffers[];
  // Parameter offsets (bytes, relative to the parameter base).
  private readonly routerW: number[] = [];
  private readonly routerB: number[] = [];
  private readonly headW: number[] = [];
  private readonly headB: number[] = [];
  private readonly heads: number;
  private readonly headGrads: number;
  private readonly anchors: Float32Array | undefined;
  // Activations.
  private readonly y: number[] = [];
  private readonly z: number[] = [];
  private readonly zs: number[] = [];
  private readonly w: number[] = [];
  private readonly h: number[] = [];
  private readonly routerT: number[] = [];
  private readonly scores: Float32Array[] = [];
  private readonly headsT: number;
  private readonly unionBias: number;
  private readonly logits: number;
  private readonly dLogits: number;
  private readonly dHeadsT: number;
  private readonly unionBiasGrad: number;
  private readonly labels: number;
  private readonly rawLogits: number;
  private readonly dRouter: number;
  private readonly dRouterT: number;
  private readonly dw: number;
  private readonly dz: number;
  private readonly g: number;
  private readonly g2: number;
  /** Layer 0's adapter hidden units relu(y_0 D + d) per row: constants too, since y_0 is. */
  private hidden0 = 0;
  /** Which rows' hidden units (and layer 0) are cached yet: both fill as batches reach rows. */
  private hiddenReady: Uint8Array = new Uint8Array();
  private rowCount = 0;

  constructor(
    private readonly heap: KernelHeap,
    backbone: PlainFrozen,
    modules: readonly PlainTaskModule[],
    /** Initial routers, per layer: w [dim x tasks] and b [tasks]. */
    routers: readonly { readonly w: Float32Array; readonly b: Float32Array }[],
    private readonly options: RouterNetOptions,
    /** The heads as after isolated training, in `modules` order (W then b each), for the anchor. */
    anchors?: readonly Float32Array[][],
  ) {
    const { dim, bottleneck: b, batch } = options;
    this.k = heap.k;
    this.stack = frozenStack(heap, backbone, dim, batch);
    this.layers = this.stack.layers;
    this.tokens = this.stack.tokens;
    const rows = batch * this.tokens;
    this.tasks = modules.length;
    const T = this.tasks;
    this.width = T * b;
    let union = 0;
    for (const m of modules) {
      this.classOffsets.push(union);
      union += m.classes;
    }
    this.unionClasses = union;

    // Flat parameters: routers, then the heads (trainable or not, same layout).
    let size = 0;
    const take = (length: number, trainable: boolean): number => {
      if (trainable) this.pieces.push({ offset: size, length });
      size += length;
      return (size - length) * 4;
    };
    for (let l = 0; l < this.layers; l++) {
      this.routerW.push(take(dim * T, true));
      this.routerB.push(take(T, true));
    }
    const routerSize = size;
    for (const m of modules) {
      this.headW.push(take(dim * m.classes, options.tuneHeads) - routerSize * 4);
      this.headB.push(take(m.classes, options.tuneHeads) - routerSize * 4);
    }
    this.size = options.tuneHeads ? size : routerSize;
    this.params = heap.alloc(size);
    this.grads = heap.alloc(size);
    this.heads = this.params + routerSize * 4;
    this.headGrads = this.grads + routerSize * 4;
    const params = heap.f32(this.params, size);
    routers.forEach((r, l) => {
      params.set(r.w, (this.routerW[l] ?? 0) / 4);
      params.set(r.b, (this.routerB[l] ?? 0) / 4);
    });
    modules.forEach((m, t) => {
      params.set(m.headW, routerSize + (this.headW[t] ?? 0) / 4);
      params.set(m.headB, routerSize + (this.headB[t] ?? 0) / 4);
    });
    if (options.tuneHeads && options.headAnchor > 0 && anchors !== undefined) {
      const a = new Float32Array(size - routerSize);
      anchors.forEach((pair, t) => {
        a.set(pair[0] ?? new Float32Array(), (this.headW[t] ?? 0) / 4);
        a.set(pair[1] ?? new Float32Array(), (this.headB[t] ?? 0) / 4);
      });
      this.anchors = a;
    }

    this.packed = packAdapterBuffers(heap, modules, this.layers, dim, b);
    for (let l = 0; l < this.layers; l++) {
      const y = heap.alloc(rows * dim);
      this.y.push(y);
      this.z.push(heap.alloc(rows * this.width));
      this.zs.push(heap.alloc(rows * this.width));
      this.w.push(heap.alloc(batch * T));
      this.h.push(heap.alloc(rows * dim));
      this.pooled.push(this.tokens === 1 ? y : heap.alloc(batch * dim));
      this.routerT.push(heap.alloc(T * dim));
      this.scores.push(new Float32Array(batch * T));
    }
    this.pooled.push(this.tokens === 1 ? (this.h[this.layers - 1] ?? 0) : heap.alloc(batch * dim));
    this.mask = heap.alloc(rows);
    this.wRows = this.tokens === 1 ? 0 : heap.alloc(rows * T);
    this.dwRows = this.tokens === 1 ? 0 : heap.alloc(rows * T);
    this.dPooled = heap.alloc(batch * dim);
    this.headsT = heap.alloc(union * dim);
    this.unionBias = heap.alloc(union);
    this.logits = heap.alloc(batch * union);
    this.dLogits = heap.alloc(batch * union);
    this.dHeadsT = heap.alloc(union * dim);
    this.unionBiasGrad = heap.alloc(union);
    this.labels = heap.alloc(batch);
    this.rawLogits = heap.alloc(batch * T);
    this.dRouter = heap.alloc(batch * T);
    this.dRouterT = heap.alloc(T * dim);
    this.dw = heap.alloc(batch * T);
    this.dz = heap.alloc(rows * this.width);
    this.g = heap.alloc(rows * dim);
    this.g2 = heap.alloc(rows * dim);
    this.layerZero = new LayerZero(heap, this.stack, dim, this.g);
  }

  /**
   * Takes the training rows (stem features, or token ids for bert) and keeps what does not change
   * while routers train: layer 0's output (LayerZero) and its adapters' hidden units, while both fit
   * the cache budget (else computed per step). Each row's are computed the first time a batch holds
   * it, so a data-parallel helper computes only the rows of its halves.
   */
  setRows(rows: Float32Array, count: number): void {
    this.rowCount = count;
    if (!this.layerZero.setRows(rows, count, this.width)) return;
    this.hidden0 = this.heap.alloc(count * this.tokens * this.width);
    this.hiddenReady = new Uint8Array(count);
  }

  /** Floats in the trainable parameter (and gradient) buffer. */
  get paramCount(): number {
    return this.size;
  }

  /** The trainable parameters, in variable order (copies). */
  getParams(): Float32Array[] {
    return readParams(this.heap, this.params, this.size, this.pieces);
  }

  /** Overwrites the trainable parameters, in variable order. */
  setParams(values: readonly Float32Array[]): void {
    writeParams(this.heap, this.params, this.size, this.pieces, values);
  }

  /**
   * One forward and backward pass over rows `indices` (of the set given to setRows) with their union
   * labels, tasks and, for Gumbel-sigmoid, per-layer logistic noise [count x tasks]; leaves the
   * gradients in `grads`. Returns the loss (cross-entropy plus penalties) and how many it got right.
   */
  step(
    indices: ArrayLike<number>,
    labels: ArrayLike<number>,
    tasks: ArrayLike<number>,
    noise: readonly Float32Array[] | undefined,
  ): { loss: number; correct: number } {
    const count = indices.length;
    const { dim, bottleneck: b, batch, activation, temperature, taskSupervision } = this.options;
    if (count > batch) throw new Error(`batch of ${count} exceeds ${batch}`);
    const k = this.k;
    const T = this.tasks;
    const C = this.unionClasses;
    const L = this.layers;
    const heap = this.heap;
    // Routers and heads, trainable or not.
    const params = heap.f32(this.params, (this.heads - this.params) / 4 + this.headFloats());

    const R = this.tokens;
    const n = count * R;
    const labelView = heap.i32(this.labels, count);
    for (let i = 0; i < count; i++) labelView[i] = labels[i] ?? 0;
    this.gatherLayer0(indices, count);

    // Forward.
    for (let l = 0; l < L; l++) {
      const y = this.y[l] ?? 0;
      if (l > 0) {
        this.stack.forward(l, this.h[l - 1] ?? 0, this.mask, y, count);
      }
      const pooled = this.pooled[l] ?? 0;
      if (R > 1) k.maskedMean(y, this.mask, pooled, count, R, dim);
      const rT = this.routerT[l] ?? 0;
      k.transpose(this.params + (this.routerW[l] ?? 0), rT, dim, T);
      k.gemmNT(pooled, rT, this.rawLogits, count, dim, T, 0);
      const raw = heap.f32(this.rawLogits, count * T);
      const bias = (this.routerB[l] ?? 0) / 4;
      const s = this.scores[l] ?? new Float32Array();
      const wv = heap.f32(this.w[l] ?? 0, count * T);
      const layerNoise = noise?.[l];
      for (let i = 0; i < count; i++) {
        let max = -Infinity;
        for (let t = 0; t < T; t++) {
          const a = (raw[i * T + t]! + params[bias + t]! + (layerNoise?.[i * T + t] ?? 0)) / temperature;
          raw[i * T + t] = a;
          if (a > max) max = a;
        }
        let sum = 0;
        for (let t = 0; t < T; t++) {
          const a = raw[i * T + t]!;
          const v = activation === 'softmax' ? Math.exp(a - max) : 1 / (1 + Math.exp(-a));
          s[i * T + t] = v;
          sum += v;
        }
        if (activation === 'softmax') for (let t = 0; t < T; t++) s[i * T + t] = s[i * T + t]! / sum;
        let total = 0;
        for (let t = 0; t < T; t++) total += s[i * T + t]!;
        const norm = Math.max(total, 1e-12);
        for (let t = 0; t < T; t++) wv[i * T + t] = s[i * T + t]! / norm;
      }
      const z = this.z[l] ?? 0;
      const zs = this.zs[l] ?? 0;
      const h = this.h[l] ?? 0;
      if (l > 0) {
        k.gemm(y, this.packed[l]?.down ?? 0, z, n, dim, this.width, 0);
        k.addBiasRelu(z, this.packed[l]?.downBias ?? 0, n, this.width);
      }
      const w = this.weightsPerRow(this.w[l] ?? 0, count);
      k.scaleBlocks(z, w, zs, n, T, b);
      k.gemm(zs, this.packed[l]?.up ?? 0, h, n, this.width, dim, 0);
      k.gemm(w, this.packed[l]?.upBias ?? 0, h, n, T, dim, 1);
      k.add(h, y, h, n * dim);
    }
    const top = this.pooled[L] ?? 0;
    if (R > 1) k.maskedMean(this.h[L - 1] ?? 0, this.mask, top, count, R, dim);
    const unionBias = heap.f32(this.unionBias, C);
    const headBase = (this.heads - this.params) / 4;
    for (let t = 0; t < T; t++) {
      const classes = this.classCount(t);
      const offset = this.classOffsets[t] ?? 0;
      k.transpose(this.heads + (this.headW[t] ?? 0), this.headsT + offset * dim * 4, dim, classes);
      const hb = headBase + (this.headB[t] ?? 0) / 4;
      for (let c = 0; c < classes; c++) unionBias[offset + c] = params[hb + c]!;
    }
    k.gemmNT(top, this.headsT, this.logits, count, dim, C, 0);
    k.addBias(this.logits, this.unionBias, count, C);
    let loss = k.softmaxCrossEntropy(this.logits, this.labels, this.dLogits, count, C);
    const correct = k.countCorrect(this.logits, this.labels, count, C);

    // Penalties and their direct gradients.
    const supervised = taskSupervision > 0 && T > 1;
    const dScores: Float32Array[] = [];
    if (supervised) {
      let sup = 0;
      const scale = taskSupervision / (L * count * T);
      for (let l = 0; l < L; l++) {
        const s = this.scores[l] ?? new Float32Array();
        const ds = new Float32Array(count * T);
        let sum = 0;
        for (let i = 0; i < count; i++)
          for (let t = 0; t < T; t++) {
            const v = s[i * T + t]!;
            const p = Math.min(Math.max(v, 1e-6), 1 - 1e-6);
            const target = (tasks[i] ?? 0) === t ? 1 : 0;
            sum += target * Math.log(p) + (1 - target) * Math.log(1 - p);
            if (v >= 1e-6 && v <= 1 - 1e-6) ds[i * T + t] = scale * (-target / p + (1 - target) / (1 - p));
          }
        sup -= sum / (count * T);
        dScores.push(ds);
      }
      loss += (taskSupervision * sup) / L;
    }
    const headGrads = heap.f32(this.headGrads, this.headFloats());
    if (this.anchors !== undefined) {
      const { headAnchor } = this.options;
      let drift = 0;
      const values = heap.f32(this.heads, this.headFloats());
      for (let i = 0; i < this.anchors.length; i++) {
        const d = values[i]! - this.anchors[i]!;
        drift += d * d;
      }
      loss += headAnchor * drift;
    }

    // Backward: heads.
    if (this.options.tuneHeads) {
      k.gemmTN(this.dLogits, top, this.dHeadsT, count, C, dim, 0);
      k.columnSums(this.dLogits, this.unionBiasGrad, count, C, 0);
      const biasGrad = heap.f32(this.unionBiasGrad, C);
      for (let t = 0; t < T; t++) {
        const classes = this.classCount(t);
        const offset = this.classOffsets[t] ?? 0;
        k.transpose(this.dHeadsT + offset * dim * 4, this.headGrads + (this.headW[t] ?? 0), classes, dim);
        const hb = (this.headB[t] ?? 0) / 4;
        for (let c = 0; c < classes; c++) headGrads[hb + c] = biasGrad[offset + c]!;
      }
      if (this.anchors !== undefined) {
        const twice = 2 * this.options.headAnchor;
        const values = heap.f32(this.heads, this.headFloats());
        for (let i = 0; i < this.anchors.length; i++)
          headGrads[i] = headGrads[i]! + twice * (values[i]! - this.anchors[i]!);
      }
    }
    let g = this.g;
    let g2 = this.g2;
    if (R === 1) k.gemm(this.dLogits, this.headsT, g, count, C, dim, 0);
    else {
      k.gemm(this.dLogits, this.headsT, this.dPooled, count, C, dim, 0);
      k.maskedMeanBackward(this.dPooled, this.mask, g, count, R, dim, 0);
    }

    // Backward: layers, top down. g = d(loss)/d(h_l).
    for (let l = L - 1; l >= 0; l--) {
      const z = this.z[l] ?? 0;
      const wl = R === 1 ? (this.w[l] ?? 0) : this.weightsPerRow(this.w[l] ?? 0, count);
      const dwRows = R === 1 ? this.dw : this.dwRows;
      k.gemm(g, this.packed[l]?.upT ?? 0, this.dz, n, dim, this.width, 0);
      k.gemmNT(g, this.packed[l]?.upBias ?? 0, dwRows, n, dim, T, 0);
      k.blockDots(this.dz, z, dwRows, n, T, b, 1);
      if (R > 1) this.sumPerExample(dwRows, this.dw, count);
      // Layer 0's input is a constant: only its router's weights need the gradient from here on.
      if (l > 0) {
        k.scaleBlocks(this.dz, wl, this.dz, n, T, b);
        k.reluBackward(this.dz, z, n * this.width);
        k.gemm(this.dz, this.packed[l]?.downT ?? 0, g, n, this.width, dim, 1);
      }
      // Through the normalisation w = s / max(sum s, 1e-12), the activation and the temperature.
      const dw = heap.f32(this.dw, count * T);
      const s = this.scores[l] ?? new Float32Array();
      const ds = dScores[l];
      const dRaw = heap.f32(this.dRouter, count * T);
      for (let i = 0; i < count; i++) {
        let total = 0;
        for (let t = 0; t < T; t++) total += s[i * T + t]!;
        const passes = total >= 1e-12;
        const norm = Math.max(total, 1e-12);
        let dot = 0;
        if (passes) for (let t = 0; t < T; t++) dot += dw[i * T + t]! * s[i * T + t]!;
        let softDot = 0;
        for (let t = 0; t < T; t++) {
          const dsv = (dw[i * T + t]! - (passes ? dot / norm : 0)) / norm + (ds?.[i * T + t] ?? 0);
          dRaw[i * T + t] = dsv;
          softDot += dsv * s[i * T + t]!;
        }
        for (let t = 0; t < T; t++) {
          const v = s[i * T + t]!;
          const dsv = dRaw[i * T + t]!;
          const da = activation === 'softmax' ? v * (dsv - softDot) : dsv * v * (1 - v);
          dRaw[i * T + t] = da / temperature;
        }
      }
      k.gemmTN(this.dRouter, this.pooled[l] ?? 0, this.dRouterT, count, T, dim, 0);
      k.transpose(this.dRouterT, this.grads + (this.routerW[l] ?? 0), T, dim);
      k.columnSums(this.dRouter, this.grads + (this.routerB[l] ?? 0), count, T, 0);
      if (l === 0) break;
      if (R === 1) k.gemm(this.dRouter, this.routerT[l] ?? 0, g, count, T, dim, 1);
      else {
        k.gemm(this.dRouter, this.routerT[l] ?? 0, this.dPooled, count, T, dim, 0);
        k.maskedMeanBackward(this.dPooled, this.mask, g, count, R, dim, 1);
      }
      this.stack.backward(l, g, g2, count);
      [g, g2] = [g2, g];
    }
    return { loss, correct };
  }

  /** Layer 0's rows, their mask and its adapters' hidden units for the batch: cached, or computed now. */
  private gatherLayer0(indices: ArrayLike<number>, count: number): void {
    const { dim } = this.options;
    const n = count * this.tokens;
    const y0 = this.y[0] ?? 0;
    const z0 = this.z[0] ?? 0;
    this.layerZero.gather(indices, y0, this.mask);
    const R = this.tokens;
    const rowWidth = R * this.width;
    let missing = this.hidden0 === 0;
    for (let i = 0; i < count && !missing; i++) missing = this.hiddenReady[indices[i] ?? 0] === 0;
    if (missing) {
      this.k.gemm(y0, this.packed[0]?.down ?? 0, z0, n, dim, this.width, 0);
      this.k.addBiasRelu(z0, this.packed[0]?.downBias ?? 0, n, this.width);
      if (this.hidden0 === 0) return;
      // Keep the rows not cached yet (each row's units do not depend on the rest of its batch).
      const hidden = this.heap.f32(this.hidden0, this.rowCount * rowWidth);
      const z = this.heap.f32(z0, n * this.width);
      for (let i = 0; i < count; i++) {
        const r = indices[i] ?? 0;
        if (this.hiddenReady[r] === 1) continue;
        hidden.set(z.subarray(i * rowWidth, (i + 1) * rowWidth), r * rowWidth);
        this.hiddenReady[r] = 1;
      }
      return;
    }
    const hidden = this.heap.f32(this.hidden0, this.rowCount * rowWidth);
    const z = this.heap.f32(z0, n * this.width);
    for (let i = 0; i < count; i++) {
      const r = indices[i] ?? 0;
      z.set(hidden.subarray(r * rowWidth, (r + 1) * rowWidth), i * rowWidth);
    }
  }

  /** Per-example weights [count x tasks] repeated for each token row (the rows themselves when 1 per example). */
  private weightsPerRow(w: number, count: number): number {
    const R = this.tokens;
    if (R === 1) return w;
    const T = this.tasks;
    const perExample = this.heap.f32(w, count * T);
    const perRow = this.heap.f32(this.wRows, count * R * T);
    for (let i = 0; i < count; i++)
      for (let t = 0; t < R; t++) perRow.set(perExample.subarray(i * T, (i + 1) * T), (i * R + t) * T);
    return this.wRows;
  }

  /** out[i, :] = sum over example i's token rows of rows[., :] ([count * tokens x tasks] -> [count x tasks]). */
  private sumPerExample(rows: number, out: number, count: number): void {
    const R = this.tokens;
    const T = this.tasks;
    const from = this.heap.f32(rows, count * R * T);
    const to = this.heap.f32(out, count * T);
    to.fill(0);
    for (let i = 0; i < count; i++)
      for (let t = 0; t < R; t++)
        for (let a = 0; a < T; a++) to[i * T + a] = to[i * T + a]! + from[(i * R + t) * T + a]!;
  }

  private classCount(t: number): number {
    return (this.classOffsets[t + 1] ?? this.unionClasses) - (this.classOffsets[t] ?? 0);
  }

  private headFloats(): number {
    return this.unionClasses * (this.options.dim + 1);
  }
}
