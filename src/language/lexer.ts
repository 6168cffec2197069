import type { Range } from './ast';

export type TokenKind = 'ident' | 'number' | 'percent' | 'string' | 'punct' | 'comment' | 'invalid' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly range: Range;
  /** For strings: the unescaped value; for invalid tokens: why. */
  readonly value?: string;
}

const identStart = /[A-Za-z_]/;
const identPart = /[\w-]/;
const numberPattern = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;

/**
 * Splits a `.l2r` source into tokens, comments included (the formatter keeps them). Never throws:
 * a character that starts no token becomes one `invalid` token, and the parser reports it.
 */
export function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\uFEFF') {
      i++;
      continue;
    }
    const start = i;
    if (c === '#' || (c === '/' && source[i + 1] === '/')) {
      while (i < n && source[i] !== '\n') i++;
      tokens.push({ kind: 'comment', text: source.slice(start, i), range: { start, end: i } });
      continue;
    }
    if (c === '"') {
      i++;
      let value = '';
      let closed = false;
      while (i < n && source[i] !== '\n') {
        const ch = source[i] ?? '';
        if (ch === '\\' && i + 1 < n) {
          const next = source[i + 1] ?? '';
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        i++;
        if (ch === '"') {
          closed = true;
          break;
        }
        value += ch;
      }
      if (closed) {
        tokens.push({ kind: 'string', text: source.slice(start, i), value, range: { start, end: i } });
        continue;
      }
      // Unterminated: give closing brackets at the end of the line back to the structure, so one
      // missing quote does not also swallow the block's '}'.
      const trimmed = source.slice(start, i).replace(/[\s}\],]+$/, '');
      i = start + Math.max(1, trimmed.length);
      tokens.push({
        kind: 'invalid',
        text: trimmed,
        value: 'unterminated string: add the closing "',
        range: { start, end: i },
      });
      continue;
    }
    if (
      c === '{' ||
      c === '}' ||
      c === '[' ||
      c === ']' ||
      c === '=' ||
      c === ',' ||
      c === ';' ||
      c === ':'
    ) {
      i++;
      tokens.push({ kind: 'punct', text: c, range: { start, end: i } });
      continue;
    }
    const number = /[-\d.]/.test(c) ? numberPattern.exec(source.slice(i, i + 64)) : null;
    if (number !== null) {
      i += number[0].length;
      if (source[i] === '%') {
        i++;
        tokens.push({ kind: 'percent', text: source.slice(start, i), range: { start, end: i } });
      } else {
        tokens.push({ kind: 'number', text: source.slice(start, i), range: { start, end: i } });
      }
      continue;
    }
    if (identStart.test(c)) {
      i++;
      while (i < n && identPart.test(source[i] ?? '')) i++;
      tokens.push({ kind: 'ident', text: source.slice(start, i), range: { start, end: i } });
      continue;
    }
    // Anything else (a stray character, a letter of another script outside a string).
    const cp = source.codePointAt(i) ?? 0;
    i += cp > 0xffff ? 2 : 1;
    tokens.push({
      kind: 'invalid',
      text: source.slice(start, i),
      value: `unexpected character '${source.slice(start, i)}'`,
      range: { start, end: i },
    });
  }
  tokens.push({ kind: 'eof', text: '', range: { start: n, end: n } });
  return tokens;
}
