import type { KernelExports, KernelHeap } from './module';

/** Where one adapter's tensors sit in a flat parameter buffer (byte offsets from its start). */
export interface AdapterOffsets {
  readonly down: number;
  readonly downBias: number;
  readonly up: number;
  readonly upBias: number;
}

/** A tensor's place in a flat buffer: offset and length in floats. */
export interface Piece {
  readonly offset: number;
  readonly length: number;
}

/** Copies values in (variable order) to their pieces of the buffer at `base`. */
export function writeParams(
  heap: KernelHeap,
  base: number,
  size: number,
  pieces: readonly Piece[],
  values: readonly Float32Array[],
): void {
  const view = heap.f32(base, size);
  pieces.forEach((p, i) => {
    const v = values[i];
    if (v?.length !== p.length)
      throw new Error(`parameter ${i} has ${v?.length} values, expected ${p.length}`);
    view.set(v, p.offset);
  });
}

/** The pieces of the buffer at `base`, in variable order (copies). */
export function readParams(
  heap: KernelHeap,
  base: number,
  size: number,
  pieces: readonly Piece[],
): Float32Array[] {
  const view = heap.f32(base, size);
  return pieces.map((p) => view.slice(p.offset, p.offset + p.length));
}

/** out = y + relu(y D + d) U + u over `rows` rows; keeps the hidden units for the backward pass. */
export function adapterForward(
  k: KernelExports,
  params: number,
  a: AdapterOffsets,
  y: number,
  hidden: number,
  out: number,
  rows: number,
  dim: number,
  bottleneck: number,
): void {
  k.gemm(y, params + a.down, hidden, rows, dim, bottleneck, 0);
  k.addBiasRelu(hidden, params + a.downBias, rows, bottleneck);
  k.gemm(hidden, params + a.up, out, rows, bottleneck, dim, 0);
  k.addBias(out, params + a.upBias, rows, dim);
  k.add(out, y, out, rows * dim);
}

/**
 * The adapter's weight gradients from g = d(loss)/d(out); with `intoInput`, g then becomes
 * d(loss)/d(y) (the residual plus the path through the down-projection). gHidden is scratch.
 */
export function adapterBackward(
  k: KernelExports,
  params: number,
  grads: number,
  a: AdapterOffsets,
  y: number,
  hidden: number,
  g: number,
  gHidden: number,
  rows: number,
  dim: number,
  bottleneck: number,
  intoInput: boolean,
): void {
  k.columnSums(g, grads + a.upBias, rows, dim, 0);
  k.gemmTN(hidden, g, grads + a.up, rows, bottleneck, dim, 0);
  k.gemmNT(g, params + a.up, gHidden, rows, dim, bottleneck, 0);
  k.reluBackward(gHidden, hidden, rows * bottleneck);
  k.columnSums(gHidden, grads + a.downBias, rows, bottleneck, 0);
  k.gemmTN(y, gHidden, grads + a.down, rows, dim, bottleneck, 0);
  if (intoInput) k.gemmNT(gHidden, params + a.down, g, rows, bottleneck, dim, 1);
}
