/**
 * Tokenisation close to what GloVe 6B was trained on (Stanford tokenizer, lower-cased): words of any
 * script, numbers, punctuation as separate tokens, English clitics split ("don't" -> "do", "n't").
 */
const tokenPattern = /[\p{L}\p{M}]+(?:['’][\p{L}]+)?|\p{N}+(?:[.,]\p{N}+)*|[^\s\p{L}\p{M}\p{N}]/gu;
const clitic = /^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$/;

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.toLowerCase().replace(/’/g, "'").matchAll(tokenPattern)) {
    const token = match[0];
    const split = token.includes("'") ? clitic.exec(token) : null;
    if (split?.[1] !== undefined && split[2] !== undefined) tokens.push(split[1], split[2]);
    else tokens.push(token);
  }
  return tokens;
}

/** FNV-1a, 32-bit: a fast, stable string hash for hashing n-grams into buckets. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Character n-grams of each word, with word boundaries marked (`<ab`, `ab>`): they carry signal for
 * scripts and spellings that a word vocabulary does not cover.
 */
let hashBuffer = new Uint32Array(4096);
let codeBuffer = new Uint16Array(256);

/**
 * fnv1a of every string charNgrams would return, without making the strings (featurising spent most
 * of its time on them: a paragraph has thousands). The same multiset of hashes, grouped by start
 * position (each start's 3-, 4- and 5-gram share their prefix's hash). The returned view is reused by
 * the next call.
 */
export function charNgramHashes(tokens: readonly string[], minN = 3, maxN = 5): Uint32Array {
  let count = 0;
  for (const token of tokens) {
    const length = token.length + 2;
    if (codeBuffer.length < length) codeBuffer = new Uint16Array(length * 2);
    codeBuffer[0] = 60; // '<'
    for (let i = 0; i < token.length; i++) codeBuffer[i + 1] = token.charCodeAt(i);
    codeBuffer[length - 1] = 62; // '>'
    const needed = count + length * (maxN - minN + 1);
    if (hashBuffer.length < needed) {
      const grown = new Uint32Array(needed * 2);
      grown.set(hashBuffer.subarray(0, count));
      hashBuffer = grown;
    }
    for (let i = 0; i + minN <= length; i++) {
      let hash = 0x811c9dc5;
      const end = Math.min(length, i + maxN);
      for (let j = i; j < end; j++) {
        hash ^= codeBuffer[j] ?? 0;
        hash = Math.imul(hash, 0x01000193);
        if (j - i + 1 >= minN) hashBuffer[count++] = hash >>> 0;
      }
    }
  }
  return hashBuffer.subarray(0, count);
}

export function charNgrams(tokens: readonly string[], minN = 3, maxN = 5): string[] {
  const grams: string[] = [];
  for (const token of tokens) {
    const padded = `<${token}>`;
    for (let n = minN; n <= maxN; n++) {
      for (let i = 0; i + n <= padded.length; i++) grams.push(padded.slice(i, i + n));
    }
  }
  return grams;
}
