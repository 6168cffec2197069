import type { BlockNode, Document, Node, OrderNode, Range, StreamNode, TaskNode, TaskRef } from '../language';
import { LineIndex, parse } from '../language';

/** A parsed document and its line index, cached per version. */
export interface Analysis {
  readonly version: number;
  readonly text: string;
  readonly doc: Document;
  readonly lines: LineIndex;
}

export class AnalysisCache {
  private readonly cache = new Map<string, Analysis>();

  get(uri: string, version: number, text: string): Analysis {
    const cached = this.cache.get(uri);
    if (cached !== undefined && cached.version === version) return cached;
    const analysis = { version, text, doc: parse(text), lines: new LineIndex(text) };
    this.cache.set(uri, analysis);
    return analysis;
  }

  delete(uri: string): void {
    this.cache.delete(uri);
  }
}

export const within = (r: Range, offset: number): boolean => offset >= r.start && offset <= r.end;

/** The task name (declaration or reference in an order) under `offset`. */
export function taskNameAt(doc: Document, offset: number): { name: string; range: Range } | undefined {
  for (const t of doc.tasks) if (within(t.nameRange, offset)) return { name: t.name, range: t.nameRange };
  for (const ref of allRefs(doc)) if (within(ref.range, offset)) return ref;
  return undefined;
}

export function allRefs(doc: Document): TaskRef[] {
  return doc.streams.flatMap((s) =>
    s.members.filter((m): m is OrderNode => m.type === 'order').flatMap((o) => [...o.tasks]),
  );
}

/** The innermost container and member at `offset`. */
export function locate(
  doc: Document,
  offset: number,
): { container?: StreamNode | TaskNode; member?: Node; block?: BlockNode } {
  const container = [...doc.streams, ...doc.tasks].find((n) => within(n.range, offset));
  if (container === undefined) return {};
  for (const m of container.members) {
    if (!within(m.range, offset)) continue;
    if (m.type === 'block') {
      const inner = m.properties.find((p) => within(p.range, offset));
      return { container, block: m, member: inner ?? m };
    }
    return { container, member: m };
  }
  return { container };
}
