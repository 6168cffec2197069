import { readFile } from 'node:fs/promises';
import type { BackboneSpec } from '../../protocol/spec';
import { meanPool, readGloveFile } from '../text/gloveFile';
import type { GloveTable } from '../text/gloveFile';
import { charNgramHashes, charNgrams, fnv1a, tokenize } from '../text/tokenize';

/**
 * Turns texts into fixed-size input vectors: the frozen part below the projection, computed once
 * per example (it never changes, so recomputing it per epoch would be waste).
 */
export interface Featurizer {
  readonly inputDim: number;
  /** Row-major [texts.length x inputDim]. */
  featurize(texts: readonly string[]): Float32Array;
}

/** Buckets of the hashed character n-gram block appended to GloVe when `charNgrams` is on. */
export const CHAR_BUCKETS = 512;

let gloveCache: { path: string; table: GloveTable } | undefined;

export async function createFeaturizer(backbone: BackboneSpec, gloveFile: string): Promise<Featurizer> {
  switch (backbone.type) {
    case 'glove100': {
      if (gloveCache?.path !== gloveFile) {
        let bytes: Buffer;
        try {
          bytes = await readFile(gloveFile);
        } catch {
          throw new Error(
            `The embedded word vectors are missing (${gloveFile}). Reinstall the extension, or rebuild them with scripts/data/build-glove.mjs.`,
          );
        }
        gloveCache = { path: gloveFile, table: readGloveFile(bytes, gloveFile) };
      }
      return gloveFeaturizer(gloveCache.table, backbone.charNgrams);
    }
    case 'hashed':
      return hashedFeaturizer(backbone.buckets);
    case 'bert':
      throw new Error('the bert backbone tokenises with its own WordPiece vocabulary (src/engine/bert)');
  }
}

function gloveFeaturizer(glove: GloveTable, withChars: boolean): Featurizer {
  const inputDim = glove.dim + (withChars ? CHAR_BUCKETS : 0);
  return {
    inputDim,
    featurize(texts) {
      const out = new Float32Array(texts.length * inputDim);
      texts.forEach((text, i) => {
        const tokens = tokenize(text);
        meanPool(tokens, glove, out, i * inputDim);
        if (withChars) {
          const offset = i * inputDim + glove.dim;
          for (const h of charNgramHashes(tokens)) addHash(h, out, offset, CHAR_BUCKETS);
          normalise(out, offset, CHAR_BUCKETS);
        }
      });
      return out;
    },
  };
}

function hashedFeaturizer(buckets: number): Featurizer {
  return {
    inputDim: buckets,
    featurize(texts) {
      const out = new Float32Array(texts.length * buckets);
      texts.forEach((text, i) => {
        const tokens = tokenize(text);
        const bigrams = tokens.slice(1).map((t, k) => `${tokens[k] ?? ''} ${t}`);
        hashInto(
          [...tokens.map((t) => `w:${t}`), ...bigrams.map((b) => `b:${b}`), ...charNgrams(tokens)],
          out,
          i * buckets,
          buckets,
        );
      });
      return out;
    },
  };
}

/** Signed feature hashing, then L2 normalisation, so long and short texts land on one scale. */
function hashInto(grams: readonly string[], out: Float32Array, offset: number, buckets: number): void {
  for (const gram of grams) addHash(fnv1a(gram), out, offset, buckets);
  normalise(out, offset, buckets);
}

/** The signed hashing trick: bucket h mod buckets gains ±1 by the hash's top bit. */
function addHash(h: number, out: Float32Array, offset: number, buckets: number): void {
  const sign = (h & 0x80000000) !== 0 ? -1 : 1;
  const index = offset + (h % buckets);
  out[index] = (out[index] ?? 0) + sign;
}

/** Scales out[offset, offset + buckets) to unit length (unless it is all zeros). */
function normalise(out: Float32Array, offset: number, buckets: number): void {
  let norm = 0;
  for (let d = 0; d < buckets; d++) norm += (out[offset + d] ?? 0) ** 2;
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let d = 0; d < buckets; d++) out[offset + d] = (out[offset + d] ?? 0) * inv;
  }
}
