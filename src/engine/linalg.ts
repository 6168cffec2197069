/** Small dense linear algebra on row-major Float64Arrays, for covariance matrices (d = a few hundred). */

/** Lower-triangular L with L Lᵀ = a (a symmetric positive definite, row-major [n x n]). */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j] ?? 0;
    for (let k = 0; k < j; k++) d -= (l[j * n + k] ?? 0) ** 2;
    if (!(d > 0)) throw new Error(`covariance is not positive definite at dimension ${j}`);
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) s -= (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** Inverse of a symmetric positive-definite matrix [n x n] from its Cholesky factor. */
export function invertSpd(m: Float64Array, n: number): Float64Array {
  const l = cholesky(m, n);
  // inv(L) by forward substitution, then inv(M) = inv(L)ᵀ inv(L).
  const li = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = c; i < n; i++) {
      let sum = i === c ? 1 : 0;
      for (let k = c; k < i; k++) sum -= (l[i * n + k] ?? 0) * (li[k * n + c] ?? 0);
      li[i * n + c] = sum / (l[i * n + i] ?? 1);
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = i; k < n; k++) sum += (li[k * n + i] ?? 0) * (li[k * n + j] ?? 0);
      inv[i * n + j] = sum;
      inv[j * n + i] = sum;
    }
  }
  return inv;
}

/**
 * Solves (L Lᵀ) X = B for X, with L from `cholesky` [n x n] and B row-major [n x cols] (several
 * right-hand sides at once): forward then back substitution, rows of B contiguous in the inner loop.
 */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, cols: number): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    const row = i * cols;
    for (let k = 0; k < i; k++) {
      const lik = l[i * n + k] ?? 0;
      if (lik === 0) continue;
      const from = k * cols;
      for (let c = 0; c < cols; c++) x[row + c] = (x[row + c] ?? 0) - lik * (x[from + c] ?? 0);
    }
    const lii = l[i * n + i] ?? 1;
    for (let c = 0; c < cols; c++) x[row + c] = (x[row + c] ?? 0) / lii;
  }
  for (let i = n - 1; i >= 0; i--) {
    const row = i * cols;
    for (let k = i + 1; k < n; k++) {
      const lki = l[k * n + i] ?? 0;
      if (lki === 0) continue;
      const from = k * cols;
      for (let c = 0; c < cols; c++) x[row + c] = (x[row + c] ?? 0) - lki * (x[from + c] ?? 0);
    }
    const lii = l[i * n + i] ?? 1;
    for (let c = 0; c < cols; c++) x[row + c] = (x[row + c] ?? 0) / lii;
  }
  return x;
}
