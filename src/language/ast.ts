/**
 * The syntax tree of a `.l2r` file. Every node carries its source range (0-based offsets), so
 * diagnostics, hover, rename and formatting can point at exact text.
 */
export interface Range {
  readonly start: number;
  readonly end: number;
}

export type ScalarKind = 'number' | 'percent' | 'string' | 'ident';

export interface ScalarValue {
  readonly type: 'scalar';
  readonly kind: ScalarKind;
  /** Source text (strings without quotes, unescaped). */
  readonly text: string;
  /** Numeric value for number and percent. */
  readonly number?: number;
  readonly range: Range;
}

export interface ListValue {
  readonly type: 'list';
  readonly items: readonly ScalarValue[];
  readonly range: Range;
}

export type Value = ScalarValue | ListValue;

export interface PropertyNode {
  readonly type: 'property';
  readonly key: string;
  readonly keyRange: Range;
  /** Missing when the value had a syntax error (the error is reported once, by the parser). */
  readonly value?: Value;
  readonly range: Range;
}

export interface BlockNode {
  readonly type: 'block';
  readonly key: string;
  readonly keyRange: Range;
  readonly properties: readonly PropertyNode[];
  readonly range: Range;
}

export interface TaskRef {
  readonly name: string;
  readonly range: Range;
}

export interface OrderNode {
  readonly type: 'order';
  readonly name: string;
  readonly nameRange: Range;
  readonly tasks: readonly TaskRef[];
  readonly range: Range;
}

export interface StreamNode {
  readonly type: 'stream';
  readonly name: string;
  readonly nameRange: Range;
  readonly members: readonly (PropertyNode | BlockNode | OrderNode)[];
  readonly range: Range;
}

export interface TaskNode {
  readonly type: 'task';
  readonly name: string;
  readonly nameRange: Range;
  readonly members: readonly (PropertyNode | BlockNode)[];
  readonly range: Range;
}

export interface SyntaxError {
  readonly message: string;
  readonly range: Range;
}

export interface Document {
  readonly streams: readonly StreamNode[];
  readonly tasks: readonly TaskNode[];
  readonly syntaxErrors: readonly SyntaxError[];
}

export type Node = StreamNode | TaskNode | OrderNode | BlockNode | PropertyNode;
