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
/**
 * fnv1a of every string charNgrams would return, in the same order, without making the strings:
 * featurising spends most of its time on them otherwise (a paragraph has thousands).
 */
export function forEachCharNgramHash(
  tokens: readonly string[],
  each: (hash: number) => void,
  minN = 3,
  maxN = 5,
): void {
  const codes: number[] = [];
  for (const token of tokens) {
    codes.length = 0;
    codes.push(60); // '<'
    for (let i = 0; i < token.length; i++) codes.push(token.charCodeAt(i));
    codes.push(62); // '>'
    for (let n = minN; n <= maxN; n++)
      for (let i = 0; i + n <= codes.length; i++) {
        let hash = 0x811c9dc5;
        for (let j = i; j < i + n; j++) {
          hash ^= codes[j] ?? 0;
          hash = Math.imul(hash, 0x01000193);
        }
        each(hash >>> 0);
      }
  }
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
