/**
 * Seeded randomness for everything the engine draws (initial weights, shuffles, memory samples,
 * Gumbel noise), so the same seed on the same backend gives the same numbers.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
  int(maxExclusive: number): number;
}

/** mulberry32, seeded by mixing the parts (e.g. run seed, task index, purpose). */
export function createRandom(...seedParts: readonly number[]): Random {
  let state = 0x9e3779b9;
  for (const part of seedParts) state = Math.imul(state ^ (part >>> 0), 0x85ebca6b) ^ (state >>> 13);
  let spare: number | undefined;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal() {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      const u = Math.max(next(), 1e-12);
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    int(maxExclusive) {
      return Math.floor(next() * maxExclusive);
    },
  };
}

export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const tmp = a[i] as T;
    a[i] = a[j] as T;
    a[j] = tmp;
  }
  return a;
}

/** A permutation of 0..n-1. */
export function permutation(n: number, random: Random): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const tmp = p[i] ?? 0;
    p[i] = p[j] ?? 0;
    p[j] = tmp;
  }
  return p;
}

/** Seeded normal matrix, rows x cols, scaled. */
export function normalMatrix(rows: number, cols: number, scale: number, random: Random): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = random.normal() * scale;
  return out;
}
