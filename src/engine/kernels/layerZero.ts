import { layerZeroCacheBytes } from './cacheBudget';
import type { FrozenStack } from './frozenLayers';
import type { KernelHeap } from './module';

/**
 * Layer 0 of a frozen stack for a training set. It sits below every adapter, so its output (and
 * for token backbones the mask) is a constant of each example: kept for the whole set while it fits
 * the cache budget (with `extraPerRow` more floats per row that the caller keeps beside it), else
 * computed per batch. A row is computed the first time a batch holds it, so a data-parallel helper
 * computes only the rows of its own halves and a one-epoch job never waits for rows ahead of it.
 */
export class LayerZero {
  /** Byte offsets of the cached rows [count * tokens x dim] and masks, or 0 when not cached. */
  private cache = 0;
  private cacheMask = 0;
  /** Which rows are in the cache (1) or still to compute (0). */
  private ready = new Uint8Array();
  private rows: Float32Array = new Float32Array();
  private count = 0;

  constructor(
    private readonly heap: KernelHeap,
    private readonly stack: FrozenStack,
    private readonly dim: number,
    /** [batch * tokens x dim] the stack's input may be written to. */
    private readonly scratch: number,
  ) {}

  /** Takes the set's rows (stem features, or token ids); true when layer 0's outputs will be cached. */
  setRows(rows: Float32Array, count: number, extraPerRow = 0): boolean {
    const R = this.stack.tokens;
    this.rows = rows;
    this.count = count;
    if (count * R * (this.dim + extraPerRow) * 4 > layerZeroCacheBytes()) return false;
    this.cache = this.heap.alloc(count * R * this.dim);
    this.cacheMask = this.heap.alloc(count * R);
    this.ready = new Uint8Array(count);
    return true;
  }

  /** Layer 0's output for the rows `indices` into y0 [count * tokens x dim], their mask into `mask`. */
  gather(indices: ArrayLike<number>, y0: number, mask: number): void {
    if (this.cache === 0) {
      this.compute(indices, y0, mask);
      return;
    }
    this.fill(indices, y0, mask);
    const count = indices.length;
    const R = this.stack.tokens;
    const { dim } = this;
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
    const missing: number[] = [];
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i] ?? 0;
      if (this.ready[r] !== 0) continue;
      this.ready[r] = 1;
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
