import type {
  BlockNode,
  Document,
  ListValue,
  OrderNode,
  PropertyNode,
  Range,
  ScalarValue,
  StreamNode,
  SyntaxError,
  TaskNode,
  TaskRef,
  Value,
} from './ast';
import { lex } from './lexer';
import type { Token } from './lexer';

/**
 * Recursive-descent parser with panic-mode recovery: after a syntax error it skips to the next
 * line that starts a member (or the block's closing brace) and goes on, so one typo yields one
 * diagnostic and the rest of the file still parses and validates. Iterative where input can nest,
 * so hostile input cannot exhaust the stack; linear in the input size.
 */
export function parse(source: string): Document {
  return new Parser(source).document();
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private readonly errors: SyntaxError[] = [];
  /** Tokens preceded by a line break (the first token counts as one). */
  private readonly lineStarts = new WeakSet<Token>();

  constructor(source: string) {
    const all = lex(source);
    this.tokens = all.filter((t) => t.kind !== 'comment');
    for (const t of all)
      if (t.kind === 'invalid')
        this.errors.push({ message: capitalise(t.value ?? 'invalid token'), range: t.range });
    // Invalid tokens are reported once here; an unterminated string still stands in for its value,
    // anything else is skipped like whitespace.
    this.tokens = this.tokens
      .map((t): Token =>
        t.kind === 'invalid' && t.text.startsWith('"')
          ? { kind: 'string', text: t.text, value: t.text.slice(1), range: t.range }
          : t,
      )
      .filter((t) => t.kind !== 'invalid');
    let previousEnd = 0;
    for (const t of this.tokens) {
      if (previousEnd === 0 || source.slice(previousEnd, t.range.start).includes('\n'))
        this.lineStarts.add(t);
      previousEnd = t.range.end;
    }
  }

  document(): Document {
    const streams: StreamNode[] = [];
    const tasks: TaskNode[] = [];
    while (!this.at('eof')) {
      const t = this.peek();
      if (t.kind === 'ident' && t.text === 'stream') {
        const s = this.stream();
        if (s !== undefined) streams.push(s);
      } else if (t.kind === 'ident' && t.text === 'task') {
        const s = this.task();
        if (s !== undefined) tasks.push(s);
      } else {
        this.error(`Expected 'stream' or 'task' at the top level, found ${describe(t)}`, t.range);
        this.skipToTopLevel();
      }
    }
    return { streams, tasks, syntaxErrors: this.errors };
  }

  private stream(): StreamNode | undefined {
    const keyword = this.next();
    const name = this.expectName('stream');
    if (name === undefined) return undefined;
    const members: (PropertyNode | BlockNode | OrderNode)[] = [];
    const end = this.body(() => {
      const t = this.peek();
      if (t.kind === 'ident' && t.text === 'order') {
        const order = this.order();
        if (order !== undefined) members.push(order);
      } else {
        const member = this.member();
        if (member !== undefined) members.push(member);
      }
    });
    return {
      type: 'stream',
      name: name.text,
      nameRange: name.range,
      members,
      range: { start: keyword.range.start, end },
    };
  }

  private task(): TaskNode | undefined {
    const keyword = this.next();
    const name = this.expectName('task');
    if (name === undefined) return undefined;
    const members: (PropertyNode | BlockNode)[] = [];
    const end = this.body(() => {
      const member = this.member();
      if (member !== undefined) members.push(member);
    });
    return {
      type: 'task',
      name: name.text,
      nameRange: name.range,
      members,
      range: { start: keyword.range.start, end },
    };
  }

  /** `{ member* }`: returns the end offset; recovers from a missing closing brace at the next top-level keyword. */
  private body(member: () => void): number {
    const open = this.peek();
    if (!this.eat('{')) {
      this.error(`Expected '{' after the name, found ${describe(open)}`, open.range);
      this.skipToTopLevel();
      return open.range.start;
    }
    for (;;) {
      const t = this.peek();
      if (
        t.kind === 'eof' ||
        (this.startsLine(t) &&
          t.kind === 'ident' &&
          (t.text === 'stream' || t.text === 'task') &&
          this.peekAt(1).kind === 'ident')
      ) {
        this.error("Missing '}' to close this block", open.range);
        return t.range.start;
      }
      if (this.eat('}')) return t.range.end;
      if (t.kind !== 'ident') {
        this.error(`Expected a key, found ${describe(t)}`, t.range);
        this.skipToMemberStart();
        continue;
      }
      const before = this.pos;
      member();
      if (this.pos === before) this.next();
    }
  }

  /** `key = value` or `key { key = value ... }`. */
  private member(): PropertyNode | BlockNode | undefined {
    const key = this.next();
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '{') return this.block(key);
    return this.property(key);
  }

  private block(key: Token): BlockNode {
    this.next();
    const properties: PropertyNode[] = [];
    let end = key.range.end;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') {
        this.error(`Missing '}' to close '${key.text}'`, key.range);
        end = t.range.start;
        break;
      }
      if (this.eat('}')) {
        end = t.range.end;
        break;
      }
      if (t.kind !== 'ident') {
        this.error(`Expected a key inside '${key.text}', found ${describe(t)}`, t.range);
        this.skipToMemberStart();
        continue;
      }
      const propertyKey = this.next();
      if (this.peek().kind === 'punct' && this.peek().text === '{') {
        this.error(`Blocks cannot nest: '${propertyKey.text}' inside '${key.text}'`, propertyKey.range);
        this.skipBalanced();
        continue;
      }
      const property = this.property(propertyKey);
      if (property !== undefined) properties.push(property);
    }
    return {
      type: 'block',
      key: key.text,
      keyRange: key.range,
      properties,
      range: { start: key.range.start, end },
    };
  }

  private property(key: Token): PropertyNode | undefined {
    const eq = this.peek();
    if (!this.eat('=')) {
      this.error(
        `Expected '=' after '${key.text}'`,
        eq.kind === 'eof' || this.startsLine(eq) ? key.range : eq.range,
      );
      this.skipToMemberStart();
      return { type: 'property', key: key.text, keyRange: key.range, range: key.range };
    }
    const value = this.value(key.text, eq);
    this.eatSeparator();
    return {
      type: 'property',
      key: key.text,
      keyRange: key.range,
      value,
      range: { start: key.range.start, end: value?.range.end ?? eq.range.end },
    };
  }

  private value(key: string, after: Token): Value | undefined {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '[') return this.list(key);
    // An identifier on the next line is the next key, not this one's value: the value is missing.
    if (t.kind === 'eof' || this.startsLine(t) || (t.kind === 'punct' && t.text !== '[')) {
      this.error(`Missing value after '${key} ='`, after.range);
      if (t.kind === 'punct' && t.text !== '}') this.skipToMemberStart();
      return undefined;
    }
    return this.scalar();
  }

  private list(key: string): ListValue | undefined {
    const open = this.next();
    const items: ScalarValue[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'punct' && t.text === ']') {
        this.next();
        return { type: 'list', items, range: { start: open.range.start, end: t.range.end } };
      }
      if (t.kind === 'eof' || (t.kind === 'punct' && (t.text === '}' || t.text === '{' || t.text === '='))) {
        this.error(`Missing ']' to close the list of '${key}'`, open.range);
        if (t.kind === 'punct' && t.text !== '}') this.skipToMemberStart();
        return undefined;
      }
      if (t.kind === 'punct') {
        this.error(`Expected a value in the list of '${key}', found ${describe(t)}`, t.range);
        this.next();
        continue;
      }
      items.push(this.scalar());
      if (!this.eat(',')) {
        const next = this.peek();
        if (
          !(next.kind === 'punct' && next.text === ']') &&
          this.startsLine(next) &&
          next.kind === 'ident' &&
          this.peekAt(1).text === '='
        ) {
          this.error(`Missing ']' to close the list of '${key}'`, open.range);
          return undefined;
        }
      }
    }
  }

  private scalar(): ScalarValue {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { type: 'scalar', kind: 'number', text: t.text, number: Number(t.text), range: t.range };
      case 'percent':
        return {
          type: 'scalar',
          kind: 'percent',
          text: t.text,
          number: Number(t.text.slice(0, -1)),
          range: t.range,
        };
      case 'string':
        return { type: 'scalar', kind: 'string', text: t.value ?? '', range: t.range };
      default:
        return { type: 'scalar', kind: 'ident', text: t.text, range: t.range };
    }
  }

  private order(): OrderNode | undefined {
    const keyword = this.next();
    const name = this.peek();
    if (name.kind !== 'ident') {
      this.error(`Expected the order's name after 'order', found ${describe(name)}`, name.range);
      this.skipToMemberStart();
      return undefined;
    }
    this.next();
    const eq = this.peek();
    if (!this.eat('=')) {
      this.error(`Expected '=' after 'order ${name.text}'`, name.range);
      this.skipToMemberStart();
      return undefined;
    }
    const open = this.peek();
    if (!(open.kind === 'punct' && open.text === '[')) {
      this.error(`Expected '[' and task names after 'order ${name.text} ='`, eq.range);
      this.skipToMemberStart();
      return undefined;
    }
    const list = this.list(`order ${name.text}`);
    const tasks: TaskRef[] = [];
    for (const item of list?.items ?? []) {
      if (item.kind === 'ident' || item.kind === 'string') tasks.push({ name: item.text, range: item.range });
      else this.error(`Expected a task name in 'order ${name.text}', found ${item.text}`, item.range);
    }
    this.eatSeparator();
    return {
      type: 'order',
      name: name.text,
      nameRange: name.range,
      tasks,
      range: { start: keyword.range.start, end: list?.range.end ?? eq.range.end },
    };
  }

  private expectName(what: string): Token | undefined {
    const t = this.peek();
    if (t.kind === 'ident' || t.kind === 'string') {
      this.next();
      return t.kind === 'string' ? { ...t, text: t.value ?? '' } : t;
    }
    this.error(`Expected a name after '${what}', found ${describe(t)}`, t.range);
    this.skipToTopLevel();
    return undefined;
  }

  // --- token helpers ------------------------------------------------------------------------------

  private peek(): Token {
    return this.tokens[this.pos] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  private peekAt(offset: number): Token {
    return this.tokens[this.pos + offset] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private at(kind: Token['kind']): boolean {
    return this.peek().kind === kind;
  }

  private eat(punct: string): boolean {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === punct) {
      this.pos++;
      return true;
    }
    return false;
  }

  private eatSeparator(): void {
    if (!this.eat(';')) this.eat(',');
  }

  /** True when a line break separates the token from the one before it. */
  private startsLine(t: Token): boolean {
    return this.lineStarts.has(t);
  }

  private error(message: string, range: Range): void {
    const last = this.errors[this.errors.length - 1];
    if (last !== undefined && last.range.start === range.start) return;
    this.errors.push({ message, range });
  }

  /** Skips to the next line that starts with a key, or to a closing brace (not consumed). */
  private skipToMemberStart(): void {
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return;
      if (t.kind === 'punct' && t.text === '{') depth++;
      if (t.kind === 'punct' && t.text === '}') {
        if (depth === 0) return;
        depth--;
      }
      this.next();
      const n = this.peek();
      if (depth === 0 && n.kind === 'ident' && this.startsLine(n)) return;
    }
  }

  /** Skips a `{ ... }` group whose opening brace is next. */
  private skipBalanced(): void {
    let depth = 0;
    do {
      const t = this.next();
      if (t.kind === 'eof') return;
      if (t.kind === 'punct' && t.text === '{') depth++;
      if (t.kind === 'punct' && t.text === '}') depth--;
    } while (depth > 0);
  }

  /** Skips to the next `stream` or `task` keyword that starts a line. */
  private skipToTopLevel(): void {
    this.next();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return;
      if (t.kind === 'ident' && (t.text === 'stream' || t.text === 'task') && this.startsLine(t)) return;
      this.next();
    }
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the file';
  return `'${t.text.length > 20 ? `${t.text.slice(0, 20)}…` : t.text}'`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
