/**
 * Layer 0 is below every adapter, so its output is a constant of each example; the kernels keep it
 * for a whole training set while it fits in this budget (LayerZero), and recompute it per step
 * beyond (a token backbone's rows are sequence-length times larger than the default's).
 */
const DEFAULT_BYTES = 256 * 1024 * 1024;
let budget = DEFAULT_BYTES;

export function layerZeroCacheBytes(): number {
  return budget;
}

/** For tests: set the budget (no argument: the default). */
export function setLayerZeroCacheBytes(bytes = DEFAULT_BYTES): void {
  budget = bytes;
}
