import { layerZeroCacheBytes } from './cacheBudget';
import type { FrozenStack } from './frozenLayers';
import type { KernelHeap } from './module';

/**
 * Layer 0 of a frozen stack for a training set. It sits below every adapter, so its output (and
 * for token backbones the mask) is a constant of each example: kept for the whole set while it fits
 * the cache budget (with `extraPerRow` more floats per row that the caller keeps beside it), else
 * computed per batch. Cached rows are computed all at once (`setRows`), or, `lazy`, each the first
 * time a batch needs it: a data-parallel helper then computes only the rows of its own halves, and a
 * one-epoch job never waits for rows it has not reached.
 */
export class LayerZero {
  /** Byte offsets of the cached rows [count * tokens x dim] and masks, or 0 when not cached. */
  cache = 0;
  private cacheMask = 0;
  private rows: Float32Array = new Float32Array();
  private count = 0;
  /** With lazy caching: which rows' layer 0 is in the cache (1) or still to compute (0). */
  private ready: Uint8Array | undefined;

  constructor(
    private readonly heap: KernelHeap,
    private readonly stack: FrozenStack,
    private readonly dim: number,
    private readonly batch: number,
    /** [batch * tokens x dim] the stack's input may be written to. */
    private readonly scratch: number,
  ) {}

  /**
   * Takes the set's rows (stem features, or token ids); true when layer 0's output is cached (with
   * `lazy`, will be: `cache` then fills as `gather` reaches rows).
   */
  setRows(rows: Float32Array, count: number, mask: number, extraPerRow = 0, lazy = false): boolean {
    const R = this.stack.tokens;
    this.rows = rows;
    this.count = count;
    if (count * R * (this.dim + extraPerRow) * 4 > layerZeroCacheBytes()) return false;
    this.cache = this.heap.alloc(count * R * this.dim);
    this.cacheMask = this.heap.alloc(count * R);
    if (lazy) {
      this.ready = new Uint8Array(count);
      return true;
    }
    const width = rows.length / Math.max(count, 1);
    for (let start = 0; start < count; start += this.batch) {
      const n = Math.min(this.batch, count - start);
      this.stack.input(rows.subarray(start * width, (start + n) * width), n, this.scratch, mask);
      this.stack.forward(0, this.scratch, mask, this.cache + start * R * this.dim * 4, n);
      this.heap.f32(this.cacheMask + start * R * 4, n * R).set(this.heap.f32(mask, n * R));
    }
    return true;
  }

  /** Layer 0's output for the rows `indices` into y0 [count * tokens x dim], their mask into `mask`. */
  gather(indices: ArrayLike<number>, y0: number, mask: number): void {
    const count = indices.length;
    const R = this.stack.tokens;
    const { dim } = this;
    if (this.cache === 0) {
      this.compute(indices, y0, mask);
      return;
    }
    if (this.ready !== undefined) this.fill(indices, y0, mask);
    const cached = this.heap.f32(this.cache, this.count * R * dim);
    const masks = this.heap.f32(this.cacheMask, this.count * R);
    const y = this.heap.f32(y0, count * R * dim);
    const m = this.heap.f32(mask, count * R);
    for (let i = 0; i < count; i++) {
      const r = indices[i] ?? 0;
      y.set(cached.subarray(r * R * dim, (r + 1) * R * dim), i * R * dim);
      m.set(masks.subarray(r * R, (r + 1) * R), i * R);
    }
  }

  /** Layer 0 of the rows `indices` into y0, their mask into `mask`. */
  private compute(indices: ArrayLike<number>, y0: number, mask: number): void {
    const count = indices.length;
    const width = this.rows.length / Math.max(this.count, 1);
    const rows = new Float32Array(count * width);
    for (let i = 0; i < count; i++) {
      const r = indices[i] ?? 0;
      rows.set(this.rows.subarray(r * width, (r + 1) * width), i * width);
    }
    this.stack.input(rows, count, this.scratch, mask);
    this.stack.forward(0, this.scratch, mask, y0, count);
  }

  /** Computes and caches the rows of `indices` not cached yet (y0 and mask serve as scratch). */
  private fill(indices: ArrayLike<number>, y0: number, mask: number): void {
    const ready = this.ready;
    if (ready === undefined) return;
    const missing: number[] = [];
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i] ?? 0;
      if (ready[r] !== 0) continue;
      ready[r] = 1;
      missing.push(r);
    }
    if (missing.length === 0) return;
    this.compute(missing, y0, mask);
    const R = this.stack.tokens;
    const { dim } = this;
    const cached = this.heap.f32(this.cache, this.count * R * dim);
    const masks = this.heap.f32(this.cacheMask, this.count * R);
    const y = this.heap.f32(y0, missing.length * R * dim);
    const m = this.heap.f32(mask, missing.length * R);
    missing.forEach((r, i) => {
      cached.set(y.subarray(i * R * dim, (i + 1) * R * dim), r * R * dim);
      masks.set(m.subarray(i * R, (i + 1) * R), r * R);
    });
  }
}
