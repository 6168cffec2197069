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
