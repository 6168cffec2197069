import { lex } from './lexer';
import type { Token } from './lexer';
import { parse } from './parser';

/**
 * The canonical layout: two-space indentation by brace depth, one member per line, `key = value`,
 * lists as `[a, b]`, comments kept where they were (own line or end of line), at most one blank
 * line between members. Idempotent. Returns undefined for a file with syntax errors (formatting a
 * broken file would guess at its structure).
 */
export function format(source: string, indent = '  '): string | undefined {
  if (parse(source).syntaxErrors.length > 0) return undefined;
  const tokens = lex(source).filter((t) => t.kind !== 'eof');
  const lines: string[] = [];
  let line = '';
  let depth = 0;
  let inList = 0;
  let previous: Token | undefined;
  const gap = (t: Token): string =>
    previous === undefined ? '' : source.slice(previous.range.end, t.range.start);
  const flush = (): void => {
    if (line.trim() !== '') lines.push(indent.repeat(depth) + line.trim());
    line = '';
  };
  const blankLineBefore = (t: Token): void => {
    const newlines = (gap(t).match(/\n/g) ?? []).length;
    const last = lines[lines.length - 1];
    if (newlines >= 2 && last !== undefined && last !== '' && !last.endsWith('{')) lines.push('');
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'comment') {
      if (previous !== undefined && !gap(t).includes('\n') && line.trim() !== '') {
        line += ` ${t.text.trimEnd()}`;
        flush();
      } else {
        flush();
        blankLineBefore(t);
        lines.push(indent.repeat(depth) + t.text.trimEnd());
      }
      previous = t;
      continue;
    }
    if (inList > 0) {
      if (t.text === ']') {
        line = line.replace(/,\s*$/, '') + ']';
        inList--;
      } else if (t.text === ',') line += ', ';
      else line += t.text;
      previous = t;
      continue;
    }
    switch (t.text) {
      case '{':
        line += ' {';
        flush();
        depth++;
        break;
      case '}':
        flush();
        depth = Math.max(0, depth - 1);
        lines.push(`${indent.repeat(depth)}}`);
        if (depth === 0) lines.push('');
        break;
      case '=':
        line += ' = ';
        break;
      case '[':
        line += '[';
        inList++;
        break;
      case ';':
      case ',':
        break;
      default: {
        const startsMember =
          t.kind === 'ident' &&
          (previous === undefined || /^[{};,\]]$/.test(previous.text) || isValueEnd(tokens, i));
        if (startsMember) {
          flush();
          blankLineBefore(t);
          line = t.text;
        } else line += line === '' || line.endsWith(' ') || line.endsWith('[') ? t.text : ` ${t.text}`;
      }
    }
    previous = t;
  }
  flush();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return `${lines.join('\n')}\n`;
}

/** True when the token before `i` ends a value (so `i` begins the next member). */
function isValueEnd(tokens: readonly Token[], i: number): boolean {
  let j = i - 1;
  while (j >= 0 && tokens[j]?.kind === 'comment') j--;
  const before = tokens[j - 1];
  const previous = tokens[j];
  return previous !== undefined && previous.kind !== 'punct' && before?.text === '=';
}
