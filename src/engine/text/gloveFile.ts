/**
 * Reader of media/glove100.bin (written by scripts/data/build-glove.mjs): int8 word vectors with a
 * float32 scale per row, and the vocabulary. Pure: the caller supplies the bytes.
 */
export interface GloveTable {
  readonly dim: number;
  readonly size: number;
  readonly wordIndex: ReadonlyMap<string, number>;
  /** Adds row `index`, dequantized and multiplied by `weight`, into `out` at `offset`. */
  addRow(index: number, out: Float32Array, offset: number, weight?: number): void;
}

const rebuild =
  'Rebuild it with `cd scripts/data && npm ci && node --max-old-space-size=4096 build-glove.mjs`.';

export function readGloveFile(bytes: Uint8Array, name = 'glove100.bin'): GloveTable {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string): never => {
    throw new Error(`${name} is not a valid word-vector file (${what}). ${rebuild}`);
  };
  if (bytes.byteLength < 16) fail('too short');
  const magic = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0, bytes[2] ?? 0, bytes[3] ?? 0);
  if (magic !== 'L2RG') fail(`magic "${magic}"`);
  const version = view.getUint32(4, true);
  if (version !== 1) fail(`version ${version}, expected 1`);
  const size = view.getUint32(8, true);
  const dim = view.getUint32(12, true);
  const matrixBytes = size * dim;
  const scalesOffset = 16 + matrixBytes + ((4 - (matrixBytes % 4)) % 4);
  const vocabOffset = scalesOffset + 4 * size;
  if (dim === 0 || vocabOffset > bytes.byteLength) fail('truncated');
  const matrix = new Int8Array(bytes.buffer, bytes.byteOffset + 16, matrixBytes);
  const scales = new Float32Array(size);
  for (let i = 0; i < size; i++) scales[i] = view.getFloat32(scalesOffset + 4 * i, true);
  const words = new TextDecoder().decode(bytes.subarray(vocabOffset)).split('\n');
  if (words.length !== size) fail(`${words.length} words for ${size} rows`);
  const wordIndex = new Map<string, number>();
  words.forEach((w, i) => wordIndex.set(w, i));
  return {
    dim,
    size,
    wordIndex,
    addRow(index, out, offset, weight = 1) {
      const scale = (scales[index] ?? 0) * weight;
      const base = index * dim;
      for (let d = 0; d < dim; d++)
        out[offset + d] = (out[offset + d] ?? 0) + (matrix[base + d] ?? 0) * scale;
    },
  };
}

/** Mean of the vectors of the tokens found, written into `out` at `offset`; returns how many were found. */
export function meanPool(
  tokens: readonly string[],
  glove: GloveTable,
  out: Float32Array,
  offset = 0,
): number {
  let found = 0;
  for (const token of tokens) {
    const index = glove.wordIndex.get(token);
    if (index === undefined) continue;
    glove.addRow(index, out, offset);
    found++;
  }
  if (found > 1) for (let d = 0; d < glove.dim; d++) out[offset + d] = (out[offset + d] ?? 0) / found;
  return found;
}
