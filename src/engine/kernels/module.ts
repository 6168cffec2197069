import { kernelsWasmBase64 } from './generated/kernelsWasm';

/** The parts of the WebAssembly JS API used here (the project's lib settings declare none of it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * The engine's WebAssembly kernels (kernels/assembly/index.ts, compiled by scripts/build-kernels.mjs).
 * Pointers are byte offsets into `memory`; see the AssemblyScript source for each kernel's contract.
 */
export interface KernelExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  gemm(a: number, b: number, c: number, m: number, k: number, n: number, acc: number): void;
  gemmTN(a: number, b: number, c: number, m: number, k: number, n: number, acc: number): void;
  gemmNT(a: number, b: number, c: number, m: number, k: number, n: number, acc: number): void;
  transpose(src: number, dst: number, rows: number, cols: number): void;
  addBias(x: number, bias: number, rows: number, cols: number): void;
  addBiasRelu(x: number, bias: number, rows: number, cols: number): void;
  reluBackward(grad: number, activation: number, count: number): void;
  scaleBlocks(x: number, w: number, out: number, rows: number, blocks: number, width: number): void;
  blockDots(
    a: number,
    b: number,
    out: number,
    rows: number,
    blocks: number,
    width: number,
    acc: number,
  ): void;
  blockWeightedSum(x: number, w: number, out: number, rows: number, blocks: number, width: number): void;
  expandBlocks(x: number, w: number, out: number, rows: number, blocks: number, width: number): void;
  columnSums(x: number, out: number, rows: number, cols: number, acc: number): void;
  add(a: number, b: number, out: number, count: number): void;
  residualGelu(x: number, u: number, out: number, count: number): void;
  geluBackward(u: number, gradOut: number, gradU: number, count: number): void;
  layerNorm(s: number, y: number, rstd: number, rows: number, cols: number, eps: number): void;
  layerNormBackward(gradY: number, y: number, rstd: number, gradS: number, rows: number, cols: number): void;
  softmaxCrossEntropy(logits: number, labels: number, grad: number, rows: number, cols: number): number;
  countCorrect(logits: number, labels: number, rows: number, cols: number): number;
  splitHeads(x: number, out: number, batch: number, tokens: number, heads: number, width: number): void;
  mergeHeads(x: number, out: number, batch: number, tokens: number, heads: number, width: number): void;
  attentionSoftmax(
    s: number,
    mask: number,
    batch: number,
    heads: number,
    tokens: number,
    scale: number,
  ): void;
  softmaxBackward(p: number, grad: number, out: number, rows: number, cols: number, scale: number): void;
  affine(x: number, gamma: number, beta: number, out: number, rows: number, cols: number): void;
  gelu(u: number, out: number, count: number): void;
  maskedMean(h: number, mask: number, out: number, batch: number, tokens: number, dim: number): void;
  maskedMeanBackward(
    gradOut: number,
    mask: number,
    gradH: number,
    batch: number,
    tokens: number,
    dim: number,
    acc: number,
  ): void;
  adam(
    params: number,
    grads: number,
    m: number,
    v: number,
    count: number,
    lr: number,
    b1: number,
    b2: number,
    eps: number,
    c1: number,
    c2: number,
  ): void;
}

let compiled: object | undefined;

/** True where this JavaScript engine runs WebAssembly SIMD (Node 16.4+, current browsers). */
export function kernelsSupported(): boolean {
  try {
    compiled ??= new wasm.Module(Buffer.from(kernelsWasmBase64, 'base64'));
    return true;
  } catch {
    return false;
  }
}

/**
 * A fresh instance with its own memory: each training job owns one, so its buffers are freed with
 * it (wasm memory never shrinks) and threads never share one.
 */
export function instantiateKernels(): KernelExports {
  compiled ??= new wasm.Module(Buffer.from(kernelsWasmBase64, 'base64'));
  const instance = new wasm.Instance(compiled, {
    env: {
      abort: () => {
        throw new Error('kernel abort');
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}

/** What one kernel instance may address: WebAssembly's 32-bit limit, less a page. */
const WASM_LIMIT = 4 * 1024 * 1024 * 1024 - 65536;
let memoryLimit = WASM_LIMIT;

/** For tests: cap every kernel instance's memory (no argument: the WebAssembly limit). */
export function setKernelMemoryLimit(bytes = WASM_LIMIT): void {
  memoryLimit = bytes;
}

/**
 * A job's buffers do not fit in one kernel instance's memory (a very long sequence or a very large
 * batch): the engine then computes that job with TF.js instead.
 */
export class KernelMemoryError extends Error {
  constructor(readonly bytes: number) {
    super(`the WebAssembly kernels would need ${Math.ceil(bytes / 2 ** 20)} MB in one instance`);
    this.name = 'KernelMemoryError';
  }
}

/**
 * A bump allocator over a kernel instance's memory: a job allocates its buffers once, up front, and
 * the memory grows to fit. Views are made on demand because growing detaches the old buffer.
 */
export class KernelHeap {
  private top: number;

  constructor(readonly k: KernelExports) {
    this.top = k.heapBase();
  }

  /** Room for `count` floats (or int32s), 16-byte aligned for SIMD loads; zero-filled. */
  alloc(count: number): number {
    const ptr = this.top;
    const top = (ptr + count * 4 + 15) & ~15;
    if (top > memoryLimit) throw new KernelMemoryError(top);
    const size = this.k.memory.buffer.byteLength;
    if (top > size) {
      // Grow by at least half again: growing copies the whole memory, so many small steps would
      // cost quadratic time. Any view made before this call is detached (make views after allocating).
      const wanted = Math.min(memoryLimit, Math.max(top, Math.ceil(size * 1.5)));
      try {
        this.k.memory.grow(Math.ceil((wanted - size) / 65536));
      } catch {
        throw new KernelMemoryError(top);
      }
    }
    this.top = top;
    return ptr;
  }

  /** A buffer holding a copy of `values`. */
  allocFrom(values: Float32Array | Int32Array): number {
    const ptr = this.alloc(values.length);
    if (values instanceof Int32Array) this.i32(ptr, values.length).set(values);
    else this.f32(ptr, values.length).set(values);
    return ptr;
  }

  f32(ptr: number, count: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, count);
  }

  i32(ptr: number, count: number): Int32Array {
    return new Int32Array(this.k.memory.buffer, ptr, count);
  }

  /** Bytes in use (for the benchmarks' memory figures). */
  get bytes(): number {
    return this.top;
  }
}
