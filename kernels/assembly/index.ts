// Dense f32 kernels for the default (vector) backbone, compiled to WebAssembly with SIMD.
//
// Why this exists: at the demo's shapes (batch 32, width 256) one TF.js op costs 7-15 µs of
// dispatch on the wasm backend, and an adapter step is ~900 ops (autodiff bookkeeping, Adam per
// variable) around 34 small matrix products; the products themselves are a sixth of the step.
// These kernels let the engine run a whole step as ~60 calls into one module, on buffers it
// allocates once, with no per-step allocation and no transposed-operand products.
//
// Conventions: every pointer is a byte offset into this module's memory; matrices are row-major;
// `acc` != 0 adds the result to what the output already holds. The caller owns all memory.

// ---------------------------------------------------------------------------------------------
// Matrix products

/**
 * Scratch for one 8-column panel of B (k x 8, contiguous) in gemm: the packed panel is read once per
 * block of 4 rows from consecutive addresses, where B's own rows may be 4 KB apart (a 1024-wide B:
 * every row on the same L1 set) or the panel may be wider than L1 (k = 1024: 64 KB of half-used
 * lines unpacked, 32 KB packed). Measured at 2048 x 256 x 1024: 28 -> 47 GFLOP/s.
 */
const PACK_MAX_K: i32 = 8192;
const pack: usize = memory.data(PACK_MAX_K * 32, 16);

/**
 * C[m x n] (+)= A[m x k] . B[k x n]. Blocks of 4 rows x 8 columns of C held in registers; for more
 * than 64 rows, B's panel is packed first (see `pack`), for fewer the copy would not pay for itself.
 */
export function gemm(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, acc: i32): void {
  const n8 = n & ~7;
  const m4 = m & ~3;
  const rowA = (<usize>k) << 2;
  const rowB = (<usize>n) << 2;
  const packed = m > 64 && k <= PACK_MAX_K;
  for (let j = 0; j < n8; j += 8) {
    let panel = b + ((<usize>j) << 2);
    let step = rowB;
    if (packed) {
      let src = panel;
      let dst = pack;
      for (let p = 0; p < k; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += rowB;
        dst += 32;
      }
      panel = pack;
      step = 32;
    }
    let i = 0;
    for (; i < m4; i += 4) {
      let c00 = f32x4.splat(0),
        c01 = f32x4.splat(0),
        c10 = f32x4.splat(0),
        c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0),
        c21 = f32x4.splat(0),
        c30 = f32x4.splat(0),
        c31 = f32x4.splat(0);
      let pa = a + <usize>i * rowA;
      const end = pa + rowA;
      let pb = panel;
      // A pointer-bounded loop with load32_splat: 40 -> 47 GFLOP/s against a counted loop of splat(load).
      while (pa < end) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const a0 = v128.load32_splat(pa);
        const a1 = v128.load32_splat(pa + rowA);
        const a2 = v128.load32_splat(pa + 2 * rowA);
        const a3 = v128.load32_splat(pa + 3 * rowA);
        c00 = f32x4.add(c00, f32x4.mul(a0, b0));
        c01 = f32x4.add(c01, f32x4.mul(a0, b1));
        c10 = f32x4.add(c10, f32x4.mul(a1, b0));
        c11 = f32x4.add(c11, f32x4.mul(a1, b1));
        c20 = f32x4.add(c20, f32x4.mul(a2, b0));
        c21 = f32x4.add(c21, f32x4.mul(a2, b1));
        c30 = f32x4.add(c30, f32x4.mul(a3, b0));
        c31 = f32x4.add(c31, f32x4.mul(a3, b1));
        pa += 4;
        pb += step;
      }
      const pc = c + <usize>i * rowB + ((<usize>j) << 2);
      store8(pc, c00, c01, acc);
      store8(pc + rowB, c10, c11, acc);
      store8(pc + 2 * rowB, c20, c21, acc);
      store8(pc + 3 * rowB, c30, c31, acc);
    }
    for (; i < m; i++) {
      let c0 = f32x4.splat(0),
        c1 = f32x4.splat(0);
      let pa = a + <usize>i * rowA;
      const end = pa + rowA;
      let pb = panel;
      while (pa < end) {
        const av = v128.load32_splat(pa);
        c0 = f32x4.add(c0, f32x4.mul(av, v128.load(pb)));
        c1 = f32x4.add(c1, f32x4.mul(av, v128.load(pb, 16)));
        pa += 4;
        pb += step;
      }
      store8(c + <usize>i * rowB + ((<usize>j) << 2), c0, c1, acc);
    }
  }
  // Columns past the last block of 8 (e.g. a head with 15 classes).
  for (let i = 0; i < m; i++) {
    for (let j = n8; j < n; j++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++)
        s += load<f32>(a + ((<usize>(i * k + p)) << 2)) * load<f32>(b + ((<usize>(p * n + j)) << 2));
      const pc = c + ((<usize>(i * n + j)) << 2);
      store<f32>(pc, acc ? load<f32>(pc) + s : s);
    }
  }
}

// @ts-ignore: decorator
@inline
function store8(p: usize, lo: v128, hi: v128, acc: i32): void {
  if (acc) {
    lo = f32x4.add(lo, v128.load(p));
    hi = f32x4.add(hi, v128.load(p, 16));
  }
  v128.store(p, lo);
  v128.store(p, hi, 16);
}

/**
 * C[k x n] (+)= A[m x k]^T . B[m x n]: weight gradients (inputs^T . output gradients) without
 * materialising the transpose. Blocks of 4 rows x 8 columns of C.
 */
export function gemmTN(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, acc: i32): void {
  const n8 = n & ~7;
  const k4 = k & ~3;
  const rowA = (<usize>k) << 2;
  const rowB = (<usize>n) << 2;
  for (let j = 0; j < n8; j += 8) {
    const colB = b + ((<usize>j) << 2);
    let r = 0;
    for (; r < k4; r += 4) {
      let c00 = f32x4.splat(0),
        c01 = f32x4.splat(0),
        c10 = f32x4.splat(0),
        c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0),
        c21 = f32x4.splat(0),
        c30 = f32x4.splat(0),
        c31 = f32x4.splat(0);
      let pa = a + ((<usize>r) << 2);
      let pb = colB;
      const end = pb + <usize>m * rowB;
      // Pointer-bounded, load32_splat (as gemm): 38-40 -> 48 GFLOP/s at the adapters' shapes.
      while (pb < end) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const a0 = v128.load32_splat(pa);
        const a1 = v128.load32_splat(pa, 4);
        const a2 = v128.load32_splat(pa, 8);
        const a3 = v128.load32_splat(pa, 12);
        c00 = f32x4.add(c00, f32x4.mul(a0, b0));
        c01 = f32x4.add(c01, f32x4.mul(a0, b1));
        c10 = f32x4.add(c10, f32x4.mul(a1, b0));
        c11 = f32x4.add(c11, f32x4.mul(a1, b1));
        c20 = f32x4.add(c20, f32x4.mul(a2, b0));
        c21 = f32x4.add(c21, f32x4.mul(a2, b1));
        c30 = f32x4.add(c30, f32x4.mul(a3, b0));
        c31 = f32x4.add(c31, f32x4.mul(a3, b1));
        pa += rowA;
        pb += rowB;
      }
      const pc = c + <usize>r * rowB + ((<usize>j) << 2);
      store8(pc, c00, c01, acc);
      store8(pc + rowB, c10, c11, acc);
      store8(pc + 2 * rowB, c20, c21, acc);
      store8(pc + 3 * rowB, c30, c31, acc);
    }
    for (; r < k; r++) {
      let c0 = f32x4.splat(0),
        c1 = f32x4.splat(0);
      let pa = a + ((<usize>r) << 2);
      let pb = colB;
      for (let i = 0; i < m; i++) {
        const av = f32x4.splat(load<f32>(pa));
        c0 = f32x4.add(c0, f32x4.mul(av, v128.load(pb)));
        c1 = f32x4.add(c1, f32x4.mul(av, v128.load(pb, 16)));
        pa += rowA;
        pb += rowB;
      }
      store8(c + <usize>r * rowB + ((<usize>j) << 2), c0, c1, acc);
    }
  }
  for (let r = 0; r < k; r++) {
    for (let j = n8; j < n; j++) {
      let s: f32 = 0;
      for (let i = 0; i < m; i++)
        s += load<f32>(a + ((<usize>(i * k + r)) << 2)) * load<f32>(b + ((<usize>(i * n + j)) << 2));
      const pc = c + ((<usize>(r * n + j)) << 2);
      store<f32>(pc, acc ? load<f32>(pc) + s : s);
    }
  }
}

/**
 * C[m x n] (+)= A[m x k] . B[n x k]^T: input gradients through a weight kept as it is (dY . W^T)
 * without transposing it first. Each output is a dot product of two rows, 2 x 4 at a time.
 */
export function gemmNT(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, acc: i32): void {
  const k4 = k & ~3;
  const rowA = (<usize>k) << 2;
  const rowC = (<usize>n) << 2;
  let i = 0;
  for (; i < m; i += 2) {
    const two = i + 1 < m;
    const pa0 = a + <usize>i * rowA;
    const pa1 = two ? pa0 + rowA : pa0;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const pb = b + <usize>j * rowA;
      let s00 = f32x4.splat(0),
        s01 = f32x4.splat(0),
        s02 = f32x4.splat(0),
        s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0),
        s11 = f32x4.splat(0),
        s12 = f32x4.splat(0),
        s13 = f32x4.splat(0);
      for (let p = 0; p < k4; p += 4) {
        const o = (<usize>p) << 2;
        const a0 = v128.load(pa0 + o);
        const a1 = v128.load(pa1 + o);
        const b0 = v128.load(pb + o);
        const b1 = v128.load(pb + rowA + o);
        const b2 = v128.load(pb + 2 * rowA + o);
        const b3 = v128.load(pb + 3 * rowA + o);
        s00 = f32x4.add(s00, f32x4.mul(a0, b0));
        s01 = f32x4.add(s01, f32x4.mul(a0, b1));
        s02 = f32x4.add(s02, f32x4.mul(a0, b2));
        s03 = f32x4.add(s03, f32x4.mul(a0, b3));
        s10 = f32x4.add(s10, f32x4.mul(a1, b0));
        s11 = f32x4.add(s11, f32x4.mul(a1, b1));
        s12 = f32x4.add(s12, f32x4.mul(a1, b2));
        s13 = f32x4.add(s13, f32x4.mul(a1, b3));
      }
      let r0 = horizontal4(s00, s01, s02, s03);
      let r1 = horizontal4(s10, s11, s12, s13);
      for (let p = k4; p < k; p++) {
        const o = (<usize>p) << 2;
        const bv = f32x4(
          load<f32>(pb + o),
          load<f32>(pb + rowA + o),
          load<f32>(pb + 2 * rowA + o),
          load<f32>(pb + 3 * rowA + o),
        );
        r0 = f32x4.add(r0, f32x4.mul(f32x4.splat(load<f32>(pa0 + o)), bv));
        r1 = f32x4.add(r1, f32x4.mul(f32x4.splat(load<f32>(pa1 + o)), bv));
      }
      const pc = c + <usize>i * rowC + ((<usize>j) << 2);
      if (acc) r0 = f32x4.add(r0, v128.load(pc));
      v128.store(pc, r0);
      if (two) {
        if (acc) r1 = f32x4.add(r1, v128.load(pc + rowC));
        v128.store(pc + rowC, r1);
      }
    }
    for (; j < n; j++) {
      const pb = b + <usize>j * rowA;
      const rowsHere = two ? 2 : 1;
      for (let r = 0; r < rowsHere; r++) {
        const pa = r == 0 ? pa0 : pa1;
        let v = f32x4.splat(0);
        for (let p = 0; p < k4; p += 4) {
          const o = (<usize>p) << 2;
          v = f32x4.add(v, f32x4.mul(v128.load(pa + o), v128.load(pb + o)));
        }
        let s: f32 =
          f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
        for (let p = k4; p < k; p++) s += load<f32>(pa + ((<usize>p) << 2)) * load<f32>(pb + ((<usize>p) << 2));
        const pc = c + <usize>(i + r) * rowC + ((<usize>j) << 2);
        store<f32>(pc, acc ? load<f32>(pc) + s : s);
      }
    }
  }
}

/** The four horizontal sums of four vectors, as one vector. */
// @ts-ignore: decorator
@inline
function horizontal4(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  // Interleave pairs, add, then interleave halves and add: lane j ends up holding sum(xj).
  const t0 = f32x4.add(v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), v128.shuffle<f32>(x0, x1, 2, 6, 3, 7));
  const t1 = f32x4.add(v128.shuffle<f32>(x2, x3, 0, 4, 1, 5), v128.shuffle<f32>(x2, x3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
}

/** dst[cols x rows] = src[rows x cols]^T. */
export function transpose(src: usize, dst: usize, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) {
    const row = src + ((<usize>(i * cols)) << 2);
    for (let j = 0; j < cols; j++) store<f32>(dst + ((<usize>(j * rows + i)) << 2), load<f32>(row + ((<usize>j) << 2)));
  }
}

// ---------------------------------------------------------------------------------------------
// Elementwise and row-wise pieces of the backbone, the adapters and the head

/** x[rows x cols] += bias[cols] on every row. */
export function addBias(x: usize, bias: usize, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) {
    const row = x + ((<usize>(i * cols)) << 2);
    for (let j = 0; j < cols; j++) {
      const p = row + ((<usize>j) << 2);
      store<f32>(p, load<f32>(p) + load<f32>(bias + ((<usize>j) << 2)));
    }
  }
}

/**
 * out[rows x width] = sum over blocks t of w[i, t] * x[i, t*width + j]: per row, the weighted sum of
 * the packed adapters' pre-activations, i.e. the pre-activation of their weight-merged adapter.
 */
export function blockWeightedSum(x: usize, w: usize, out: usize, rows: i32, blocks: i32, width: i32): void {
  const w4 = width & ~3;
  for (let i = 0; i < rows; i++) {
    const dst = out + ((<usize>(i * width)) << 2);
    for (let t = 0; t < blocks; t++) {
      const scale = load<f32>(w + ((<usize>(i * blocks + t)) << 2));
      const vs = f32x4.splat(scale);
      const src = x + ((<usize>((i * blocks + t) * width)) << 2);
      let j = 0;
      for (; j < w4; j += 4) {
        const o = (<usize>j) << 2;
        const term = f32x4.mul(v128.load(src + o), vs);
        v128.store(dst + o, t == 0 ? term : f32x4.add(v128.load(dst + o), term));
      }
      for (; j < width; j++) {
        const o = (<usize>j) << 2;
        const term = load<f32>(src + o) * scale;
        store<f32>(dst + o, t == 0 ? term : load<f32>(dst + o) + term);
      }
    }
  }
}

/** out[i, t*width + j] = w[i, t] * x[i, j]: one row of hidden units copied per block, scaled. */
export function expandBlocks(x: usize, w: usize, out: usize, rows: i32, blocks: i32, width: i32): void {
  const w4 = width & ~3;
  for (let i = 0; i < rows; i++) {
    const src = x + ((<usize>(i * width)) << 2);
    for (let t = 0; t < blocks; t++) {
      const scale = load<f32>(w + ((<usize>(i * blocks + t)) << 2));
      const vs = f32x4.splat(scale);
      const dst = out + ((<usize>((i * blocks + t) * width)) << 2);
      let j = 0;
      for (; j < w4; j += 4) {
        const o = (<usize>j) << 2;
        v128.store(dst + o, f32x4.mul(v128.load(src + o), vs));
      }
      for (; j < width; j++) {
        const o = (<usize>j) << 2;
        store<f32>(dst + o, load<f32>(src + o) * scale);
      }
    }
  }
}

/** x = relu(x + bias), in place. */
export function addBiasRelu(x: usize, bias: usize, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  const zero = f32x4.splat(0);
  for (let i = 0; i < rows; i++) {
    const row = x + ((<usize>(i * cols)) << 2);
    let j = 0;
    for (; j < c4; j += 4) {
      const o = (<usize>j) << 2;
      v128.store(row + o, f32x4.max(f32x4.add(v128.load(row + o), v128.load(bias + o)), zero));
    }
    for (; j < cols; j++) {
      const p = row + ((<usize>j) << 2);
      const v = load<f32>(p) + load<f32>(bias + ((<usize>j) << 2));
      store<f32>(p, v > 0 ? v : 0);
    }
  }
}

/** grad *= (activation > 0): the gradient through a ReLU, from its output. */
export function reluBackward(grad: usize, activation: usize, count: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(grad + o, v128.and(v128.load(grad + o), f32x4.gt(v128.load(activation + o), zero)));
  }
  for (; i < count; i++) {
    const o = (<usize>i) << 2;
    if (!(load<f32>(activation + o) > 0)) store<f32>(grad + o, 0);
  }
}

/**
 * out[rows x blocks*width] = x scaled block by block: out[i, t*width + j] = x[i, t*width + j] * w[i, t].
 * How a row's composition weights scale the hidden units of each packed adapter.
 */
export function scaleBlocks(x: usize, w: usize, out: usize, rows: i32, blocks: i32, width: i32): void {
  const w4 = width & ~3;
  for (let i = 0; i < rows; i++) {
    for (let t = 0; t < blocks; t++) {
      const scale = load<f32>(w + ((<usize>(i * blocks + t)) << 2));
      const vs = f32x4.splat(scale);
      const base = (<usize>((i * blocks + t) * width)) << 2;
      let j = 0;
      for (; j < w4; j += 4) {
        const o = base + ((<usize>j) << 2);
        v128.store(out + o, f32x4.mul(v128.load(x + o), vs));
      }
      for (; j < width; j++) {
        const o = base + ((<usize>j) << 2);
        store<f32>(out + o, load<f32>(x + o) * scale);
      }
    }
  }
}

/** out[i, t] (+)= sum_j a[i, t*width + j] * b[i, t*width + j]: the gradient of scaleBlocks' weights. */
export function blockDots(a: usize, b: usize, out: usize, rows: i32, blocks: i32, width: i32, acc: i32): void {
  const w4 = width & ~3;
  for (let i = 0; i < rows; i++) {
    for (let t = 0; t < blocks; t++) {
      const base = (<usize>((i * blocks + t) * width)) << 2;
      let v = f32x4.splat(0);
      let j = 0;
      for (; j < w4; j += 4) {
        const o = base + ((<usize>j) << 2);
        v = f32x4.add(v, f32x4.mul(v128.load(a + o), v128.load(b + o)));
      }
      let s: f32 =
        f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
      for (; j < width; j++) {
        const o = base + ((<usize>j) << 2);
        s += load<f32>(a + o) * load<f32>(b + o);
      }
      const p = out + ((<usize>(i * blocks + t)) << 2);
      store<f32>(p, acc ? load<f32>(p) + s : s);
    }
  }
}


/** out[cols] (+)= column sums of x[rows x cols]: a bias's gradient. */
export function columnSums(x: usize, out: usize, rows: i32, cols: i32, acc: i32): void {
  for (let j = 0; j < cols; j++) {
    let s: f32 = 0;
    for (let i = 0; i < rows; i++) s += load<f32>(x + ((<usize>(i * cols + j)) << 2));
    const p = out + ((<usize>j) << 2);
    store<f32>(p, acc ? load<f32>(p) + s : s);
  }
}

/** out = a + b (elementwise; out may alias a or b). */
export function add(a: usize, b: usize, out: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < count; i++) {
    const o = (<usize>i) << 2;
    store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

const GELU_C: f32 = 0.7978845608028654; // sqrt(2 / pi)
const GELU_A: f32 = 0.044715;

// exp(x) for x <= 0, four at a time: x = n ln2 + r with |r| <= ln2 / 2, exp(r) by its Taylor series
// to r^6 (truncation below 1.2e-7 relative), times 2^n built in the exponent bits. Mathf.tanh costs
// 60-70 ns a call here; GELU's tanh needs only absolute accuracy (it enters as 1 + t and 1 - t^2).
// @ts-ignore: decorator
@inline
function expNonPositive(x: v128): v128 {
  x = f32x4.max(x, f32x4.splat(-87));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.4426950408889634)));
  const r = f32x4.sub(
    f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693145751953125))),
    f32x4.mul(n, f32x4.splat(1.428606765330187e-6)),
  );
  let p = f32x4.add(f32x4.splat(<f32>1 / 120), f32x4.mul(r, f32x4.splat(<f32>1 / 720)));
  p = f32x4.add(f32x4.splat(<f32>1 / 24), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(<f32>1 / 6), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(0.5), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1), f32x4.mul(r, p));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** tanh, four at a time: sign(y) (1 - e) / (1 + e) with e = exp(-2|y|); absolute error about 1e-7. */
// @ts-ignore: decorator
@inline
function tanh4(y: v128): v128 {
  const e = expNonPositive(f32x4.mul(f32x4.abs(y), f32x4.splat(-2)));
  const t = f32x4.div(f32x4.sub(f32x4.splat(1), e), f32x4.add(f32x4.splat(1), e));
  // Copy y's sign bit onto t (t >= 0).
  return v128.or(t, v128.and(y, i32x4.splat(0x80000000)));
}

/** The tanh argument of GELU: sqrt(2/pi) (z + 0.044715 z^3). */
// @ts-ignore: decorator
@inline
function geluInner(z: v128): v128 {
  const z3 = f32x4.mul(f32x4.mul(z, z), z);
  return f32x4.mul(f32x4.splat(GELU_C), f32x4.add(z, f32x4.mul(f32x4.splat(GELU_A), z3)));
}

/** Scalar tanh through the same formula (tails shorter than four). */
function tanh1(y: f32): f32 {
  return f32x4.extract_lane(tanh4(f32x4.splat(y)), 0);
}

/** out = x + gelu(u), GELU in its tanh form (as the TF.js backbone computes it). */
export function residualGelu(x: usize, u: usize, out: usize, count: i32): void {
  let i = 0;
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  for (; i + 4 <= count; i += 4) {
    const o = (<usize>i) << 2;
    const z = v128.load(u + o);
    const t = tanh4(geluInner(z));
    v128.store(out + o, f32x4.add(v128.load(x + o), f32x4.mul(f32x4.mul(half, z), f32x4.add(one, t))));
  }
  for (; i < count; i++) {
    const o = (<usize>i) << 2;
    const z = load<f32>(u + o);
    const t = tanh1(GELU_C * (z + GELU_A * z * z * z));
    store<f32>(out + o, load<f32>(x + o) + <f32>0.5 * z * (<f32>1 + t));
  }
}

/** grad_u = grad_out * gelu'(u): the gradient through GELU, from its input. */
export function geluBackward(u: usize, gradOut: usize, gradU: usize, count: i32): void {
  let i = 0;
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  const c = f32x4.splat(GELU_C);
  const a3 = f32x4.splat(3 * GELU_A);
  for (; i + 4 <= count; i += 4) {
    const o = (<usize>i) << 2;
    const z = v128.load(u + o);
    const t = tanh4(geluInner(z));
    // 0.5 (1 + t) + 0.5 z (1 - t^2) sqrt(2/pi) (1 + 3 a z^2)
    const inner = f32x4.mul(c, f32x4.add(one, f32x4.mul(a3, f32x4.mul(z, z))));
    const d = f32x4.add(
      f32x4.mul(half, f32x4.add(one, t)),
      f32x4.mul(f32x4.mul(f32x4.mul(half, z), f32x4.sub(one, f32x4.mul(t, t))), inner),
    );
    v128.store(gradU + o, f32x4.mul(v128.load(gradOut + o), d));
  }
  for (; i < count; i++) {
    const o = (<usize>i) << 2;
    const z = load<f32>(u + o);
    const t = tanh1(GELU_C * (z + GELU_A * z * z * z));
    const d = <f32>0.5 * (<f32>1 + t) + <f32>0.5 * z * (<f32>1 - t * t) * GELU_C * (<f32>1 + <f32>3 * GELU_A * z * z);
    store<f32>(gradU + o, load<f32>(gradOut + o) * d);
  }
}

/**
 * Layer normalisation without scale or shift, per row: y = (s - mean) / sqrt(var + eps) with the
 * biased variance (as tf.moments). Keeps 1 / sqrt(var + eps) per row for the backward pass.
 */
export function layerNorm(s: usize, y: usize, rstd: usize, rows: i32, cols: i32, eps: f32): void {
  for (let i = 0; i < rows; i++) {
    const row = s + ((<usize>(i * cols)) << 2);
    const out = y + ((<usize>(i * cols)) << 2);
    let mean: f32 = 0;
    for (let j = 0; j < cols; j++) mean += load<f32>(row + ((<usize>j) << 2));
    mean /= <f32>cols;
    let variance: f32 = 0;
    for (let j = 0; j < cols; j++) {
      const d = load<f32>(row + ((<usize>j) << 2)) - mean;
      variance += d * d;
    }
    variance /= <f32>cols;
    const r = <f32>1 / Mathf.sqrt(variance + eps);
    store<f32>(rstd + ((<usize>i) << 2), r);
    for (let j = 0; j < cols; j++) store<f32>(out + ((<usize>j) << 2), (load<f32>(row + ((<usize>j) << 2)) - mean) * r);
  }
}

/** grad_s from grad_y through the layer norm above (y and rstd from its forward pass). */
export function layerNormBackward(gradY: usize, y: usize, rstd: usize, gradS: usize, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) {
    const g = gradY + ((<usize>(i * cols)) << 2);
    const yr = y + ((<usize>(i * cols)) << 2);
    const out = gradS + ((<usize>(i * cols)) << 2);
    let meanG: f32 = 0;
    let meanGY: f32 = 0;
    for (let j = 0; j < cols; j++) {
      const o = (<usize>j) << 2;
      const gv = load<f32>(g + o);
      meanG += gv;
      meanGY += gv * load<f32>(yr + o);
    }
    meanG /= <f32>cols;
    meanGY /= <f32>cols;
    const r = load<f32>(rstd + ((<usize>i) << 2));
    for (let j = 0; j < cols; j++) {
      const o = (<usize>j) << 2;
      store<f32>(out + o, r * (load<f32>(g + o) - meanG - load<f32>(yr + o) * meanGY));
    }
  }
}

/**
 * Softmax cross-entropy of logits[rows x cols] against integer labels, averaged over rows (as
 * tf.losses.softmaxCrossEntropy). Writes d(loss)/d(logits) into grad and returns the mean loss.
 */
export function softmaxCrossEntropy(logits: usize, labels: usize, grad: usize, rows: i32, cols: i32): f32 {
  let total: f32 = 0;
  const scale = <f32>1 / <f32>rows;
  for (let i = 0; i < rows; i++) {
    const row = logits + ((<usize>(i * cols)) << 2);
    const out = grad + ((<usize>(i * cols)) << 2);
    let max = load<f32>(row);
    for (let j = 1; j < cols; j++) max = Mathf.max(max, load<f32>(row + ((<usize>j) << 2)));
    let sum: f32 = 0;
    for (let j = 0; j < cols; j++) {
      const e = Mathf.exp(load<f32>(row + ((<usize>j) << 2)) - max);
      store<f32>(out + ((<usize>j) << 2), e);
      sum += e;
    }
    const label = load<i32>(labels + ((<usize>i) << 2));
    total += Mathf.log(sum) + max - load<f32>(row + ((<usize>label) << 2));
    const inv = <f32>1 / sum;
    for (let j = 0; j < cols; j++) {
      const p = out + ((<usize>j) << 2);
      store<f32>(p, (load<f32>(p) * inv - (j == label ? <f32>1 : <f32>0)) * scale);
    }
  }
  return total * scale;
}

/** How many rows of logits[rows x cols] have their largest value at the label (first on ties). */
export function countCorrect(logits: usize, labels: usize, rows: i32, cols: i32): i32 {
  let correct = 0;
  for (let i = 0; i < rows; i++) {
    const row = logits + ((<usize>(i * cols)) << 2);
    let best = 0;
    let max = load<f32>(row);
    for (let j = 1; j < cols; j++) {
      const v = load<f32>(row + ((<usize>j) << 2));
      if (v > max) {
        max = v;
        best = j;
      }
    }
    if (best == load<i32>(labels + ((<usize>i) << 2))) correct++;
  }
  return correct;
}

/**
 * One Adam step over a flat buffer of parameters, in TF.js's order of operations:
 * m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr (m / c1) / (sqrt(v / c2) + eps), with
 * c1 = 1 - b1^t and c2 = 1 - b2^t given by the caller.
 */
export function adam(
  params: usize,
  grads: usize,
  m: usize,
  v: usize,
  count: i32,
  lr: f32,
  b1: f32,
  b2: f32,
  eps: f32,
  c1: f32,
  c2: f32,
): void {
  const vb1 = f32x4.splat(b1),
    vb2 = f32x4.splat(b2),
    va1 = f32x4.splat(<f32>1 - b1),
    va2 = f32x4.splat(<f32>1 - b2);
  const vc1 = f32x4.splat(c1),
    vc2 = f32x4.splat(c2),
    vlr = f32x4.splat(lr),
    veps = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = (<usize>i) << 2;
    const g = v128.load(grads + o);
    const mi = f32x4.add(f32x4.mul(v128.load(m + o), vb1), f32x4.mul(g, va1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(g, g), va2));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const step = f32x4.div(f32x4.mul(vlr, f32x4.div(mi, vc1)), f32x4.add(f32x4.sqrt(f32x4.div(vi, vc2)), veps));
    v128.store(params + o, f32x4.sub(v128.load(params + o), step));
  }
  for (; i < count; i++) {
    const o = (<usize>i) << 2;
    const g = load<f32>(grads + o);
    const mi = load<f32>(m + o) * b1 + g * (<f32>1 - b1);
    const vi = load<f32>(v + o) * b2 + g * g * (<f32>1 - b2);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(params + o, load<f32>(params + o) - (lr * (mi / c1)) / (Mathf.sqrt(vi / c2) + eps));
  }
}

/** Where the caller may start allocating: past this module's static data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

// ---------------------------------------------------------------------------------------------
// Transformer pieces (the bert backbone): heads, masked attention softmax, affine layer norm,
// masked mean pooling

/** out[b, h, t, :] = x[b, t, h, :]: token-major heads to head-major blocks (and back with mergeHeads). */
export function splitHeads(x: usize, out: usize, batch: i32, tokens: i32, heads: i32, width: i32): void {
  const bytes = (<usize>width) << 2;
  for (let b = 0; b < batch; b++)
    for (let t = 0; t < tokens; t++)
      for (let h = 0; h < heads; h++)
        memory.copy(
          out + (<usize>(((b * heads + h) * tokens + t) * width) << 2),
          x + (<usize>(((b * tokens + t) * heads + h) * width) << 2),
          bytes,
        );
}

/** out[b, t, h, :] = x[b, h, t, :]. */
export function mergeHeads(x: usize, out: usize, batch: i32, tokens: i32, heads: i32, width: i32): void {
  const bytes = (<usize>width) << 2;
  for (let b = 0; b < batch; b++)
    for (let t = 0; t < tokens; t++)
      for (let h = 0; h < heads; h++)
        memory.copy(
          out + (<usize>(((b * tokens + t) * heads + h) * width) << 2),
          x + (<usize>(((b * heads + h) * tokens + t) * width) << 2),
          bytes,
        );
}

/**
 * In place on scores [batch, heads, tokens, tokens]: s = s * scale + (1 - mask[b, key]) * -1e4, then
 * a softmax over keys (BERT's additive padding mask).
 */
export function attentionSoftmax(s: usize, mask: usize, batch: i32, heads: i32, tokens: i32, scale: f32): void {
  for (let b = 0; b < batch; b++) {
    const m = mask + (<usize>(b * tokens) << 2);
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < tokens; i++) {
        const row = s + (<usize>(((b * heads + h) * tokens + i) * tokens) << 2);
        let max: f32 = -Infinity;
        for (let j = 0; j < tokens; j++) {
          const o = (<usize>j) << 2;
          const v = load<f32>(row + o) * scale + (<f32>1 - load<f32>(m + o)) * <f32>-1e4;
          store<f32>(row + o, v);
          if (v > max) max = v;
        }
        // exp(v - max) four at a time (the argument is never positive).
        const vmax = f32x4.splat(max);
        let sums = f32x4.splat(0);
        let j = 0;
        for (; j + 4 <= tokens; j += 4) {
          const o = (<usize>j) << 2;
          const e = expNonPositive(f32x4.sub(v128.load(row + o), vmax));
          v128.store(row + o, e);
          sums = f32x4.add(sums, e);
        }
        let sum: f32 =
          f32x4.extract_lane(sums, 0) + f32x4.extract_lane(sums, 1) + f32x4.extract_lane(sums, 2) + f32x4.extract_lane(sums, 3);
        for (; j < tokens; j++) {
          const o = (<usize>j) << 2;
          const e = Mathf.exp(load<f32>(row + o) - max);
          store<f32>(row + o, e);
          sum += e;
        }
        const inv = <f32>1 / sum;
        for (let j = 0; j < tokens; j++) {
          const o = (<usize>j) << 2;
          store<f32>(row + o, load<f32>(row + o) * inv);
        }
      }
  }
}

/** out = scale * p * (grad - sum_j grad_j p_j) per row: the gradient through a softmax, scaled. */
export function softmaxBackward(p: usize, grad: usize, out: usize, rows: i32, cols: i32, scale: f32): void {
  for (let i = 0; i < rows; i++) {
    const base = (<usize>(i * cols)) << 2;
    let dot: f32 = 0;
    for (let j = 0; j < cols; j++) {
      const o = base + ((<usize>j) << 2);
      dot += load<f32>(grad + o) * load<f32>(p + o);
    }
    for (let j = 0; j < cols; j++) {
      const o = base + ((<usize>j) << 2);
      store<f32>(out + o, scale * load<f32>(p + o) * (load<f32>(grad + o) - dot));
    }
  }
}

/** out = x * gamma + beta per row (gamma, beta [cols]); beta 0 gives a column scaling. */
export function affine(x: usize, gamma: usize, beta: usize, out: usize, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  for (let i = 0; i < rows; i++) {
    const base = (<usize>(i * cols)) << 2;
    let j = 0;
    for (; j < c4; j += 4) {
      const o = (<usize>j) << 2;
      const v = f32x4.mul(v128.load(x + base + o), v128.load(gamma + o));
      v128.store(out + base + o, beta == 0 ? v : f32x4.add(v, v128.load(beta + o)));
    }
    for (; j < cols; j++) {
      const o = (<usize>j) << 2;
      const v = load<f32>(x + base + o) * load<f32>(gamma + o);
      store<f32>(out + base + o, beta == 0 ? v : v + load<f32>(beta + o));
    }
  }
}

/** out = gelu(u), GELU in its tanh form, without a residual. */
export function gelu(u: usize, out: usize, count: i32): void {
  let i = 0;
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  for (; i + 4 <= count; i += 4) {
    const o = (<usize>i) << 2;
    const z = v128.load(u + o);
    v128.store(out + o, f32x4.mul(f32x4.mul(half, z), f32x4.add(one, tanh4(geluInner(z)))));
  }
  for (; i < count; i++) {
    const o = (<usize>i) << 2;
    const z = load<f32>(u + o);
    store<f32>(out + o, <f32>0.5 * z * (<f32>1 + tanh1(GELU_C * (z + GELU_A * z * z * z))));
  }
}

/** out[b, :] = sum_t mask[b, t] h[b, t, :] / max(sum_t mask[b, t], 1): the masked mean over tokens. */
export function maskedMean(h: usize, mask: usize, out: usize, batch: i32, tokens: i32, dim: i32): void {
  for (let b = 0; b < batch; b++) {
    const dst = out + (<usize>(b * dim) << 2);
    memory.fill(dst, 0, (<usize>dim) << 2);
    let count: f32 = 0;
    for (let t = 0; t < tokens; t++) {
      const w = load<f32>(mask + (<usize>(b * tokens + t) << 2));
      if (w == 0) continue;
      count += w;
      const src = h + (<usize>((b * tokens + t) * dim) << 2);
      for (let j = 0; j < dim; j++) {
        const o = (<usize>j) << 2;
        store<f32>(dst + o, load<f32>(dst + o) + w * load<f32>(src + o));
      }
    }
    const inv = <f32>1 / Mathf.max(count, 1);
    for (let j = 0; j < dim; j++) {
      const o = (<usize>j) << 2;
      store<f32>(dst + o, load<f32>(dst + o) * inv);
    }
  }
}

/** grad_h[b, t, :] (+)= grad_out[b, :] * mask[b, t] / max(sum_t mask[b, t], 1). */
export function maskedMeanBackward(gradOut: usize, mask: usize, gradH: usize, batch: i32, tokens: i32, dim: i32, acc: i32): void {
  for (let b = 0; b < batch; b++) {
    let count: f32 = 0;
    for (let t = 0; t < tokens; t++) count += load<f32>(mask + (<usize>(b * tokens + t) << 2));
    const inv = <f32>1 / Mathf.max(count, 1);
    const src = gradOut + (<usize>(b * dim) << 2);
    for (let t = 0; t < tokens; t++) {
      const w = load<f32>(mask + (<usize>(b * tokens + t) << 2)) * inv;
      const dst = gradH + (<usize>((b * tokens + t) * dim) << 2);
      for (let j = 0; j < dim; j++) {
        const o = (<usize>j) << 2;
        const v = load<f32>(src + o) * w;
        store<f32>(dst + o, acc ? load<f32>(dst + o) + v : v);
      }
    }
  }
}
