import type { KernelHeap } from './module';

/** One task's frozen adapters (per layer) and its head, as plain numbers in variable layout. */
export interface PlainTaskModule {
  readonly adapters: readonly {
    readonly down: Float32Array;
    readonly downBias: Float32Array;
    readonly up: Float32Array;
    readonly upBias: Float32Array;
  }[];
  readonly headW: Float32Array;
  readonly headB: Float32Array;
  readonly classes: number;
}

/** Byte offsets of one layer's adapters packed side by side (as model/forward.ts's packAdapters). */
export interface PackedLayerBuffers {
  /** [dim x tasks*bottleneck]: every adapter's down-projection, side by side. */
  readonly down: number;
  /** Its transpose. */
  readonly downT: number;
  /** [tasks*bottleneck]. */
  readonly downBias: number;
  /** [tasks*bottleneck x dim]: every adapter's up-projection, stacked. */
  readonly up: number;
  /** Its transpose. */
  readonly upT: number;
  /** [tasks x dim]: every adapter's up-projection bias, one per row. */
  readonly upBias: number;
}

/** Packs every layer's adapters into the heap, once: they are frozen while composed. */
export function packAdapterBuffers(
  heap: KernelHeap,
  modules: readonly PlainTaskModule[],
  layers: number,
  dim: number,
  bottleneck: number,
): PackedLayerBuffers[] {
  const tasks = modules.length;
  const width = tasks * bottleneck;
  return Array.from({ length: layers }, (_, l) => {
    const downs = new Float32Array(dim * width);
    const ups = new Float32Array(width * dim);
    const downBiases = new Float32Array(width);
    const upBiases = new Float32Array(tasks * dim);
    modules.forEach((m, t) => {
      const a = m.adapters[l];
      if (a === undefined) throw new Error(`module ${t} has no adapter at layer ${l}`);
      for (let i = 0; i < dim; i++)
        downs.set(a.down.subarray(i * bottleneck, (i + 1) * bottleneck), i * width + t * bottleneck);
      ups.set(a.up, t * bottleneck * dim);
      downBiases.set(a.downBias, t * bottleneck);
      upBiases.set(a.upBias, t * dim);
    });
    const down = heap.allocFrom(downs);
    const downT = heap.alloc(width * dim);
    heap.k.transpose(down, downT, dim, width);
    const up = heap.allocFrom(ups);
    const upT = heap.alloc(dim * width);
    heap.k.transpose(up, upT, width, dim);
    return { down, downT, downBias: heap.allocFrom(downBiases), up, upT, upBias: heap.allocFrom(upBiases) };
  });
}
