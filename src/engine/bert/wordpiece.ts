/**
 * BERT's tokenisation: basic tokenisation (optional lower-casing and accent stripping, punctuation
 * and CJK characters split off) then WordPiece (greedy longest match, continuations prefixed "##").
 */
export interface WordPiece {
  readonly vocab: ReadonlyMap<string, number>;
  readonly lowercase: boolean;
  readonly ids: { readonly pad: number; readonly unk: number; readonly cls: number; readonly sep: number };
}

export function createWordPiece(vocabText: string, lowercase: boolean, file = 'vocab.txt'): WordPiece {
  const vocab = new Map<string, number>();
  vocabText.split(/\r?\n/).forEach((token, i) => {
    if (token !== '' && !vocab.has(token)) vocab.set(token, i);
  });
  const id = (t: string): number => {
    const v = vocab.get(t);
    if (v === undefined) throw new Error(`${file} has no ${t} token; is it a BERT WordPiece vocabulary?`);
    return v;
  };
  return {
    vocab,
    lowercase,
    ids: { pad: id('[PAD]'), unk: id('[UNK]'), cls: id('[CLS]'), sep: id('[SEP]') },
  };
}

function basicTokens(text: string, lowercase: boolean): string[] {
  let t = text;
  if (lowercase)
    t = t
      .toLowerCase()
      .normalize('NFD')
      .replace(/\p{Mn}/gu, '');
  return t.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
}

/** Token ids: [CLS] pieces... [SEP], truncated and padded to `maxLength`. */
export function encode(wp: WordPiece, text: string, maxLength: number): Int32Array {
  const ids: number[] = [wp.ids.cls];
  for (const word of basicTokens(text, wp.lowercase)) {
    if (ids.length >= maxLength - 1) break;
    ids.push(...pieces(wp, word));
  }
  const out = new Int32Array(maxLength).fill(wp.ids.pad);
  const kept = ids.slice(0, maxLength - 1);
  out.set(kept);
  out[kept.length] = wp.ids.sep;
  return out;
}

function pieces(wp: WordPiece, word: string): number[] {
  if (word.length > 100) return [wp.ids.unk];
  const out: number[] = [];
  let start = 0;
  while (start < word.length) {
    let end = word.length;
    let found: number | undefined;
    while (start < end) {
      const piece = (start > 0 ? '##' : '') + word.slice(start, end);
      found = wp.vocab.get(piece);
      if (found !== undefined) break;
      end--;
    }
    if (found === undefined) return [wp.ids.unk];
    out.push(found);
    start = end;
  }
  return out;
}
