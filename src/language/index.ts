/** The language core's public surface: parse, validate, check data, build the ExperimentSpec. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ExperimentSpec } from '../protocol/spec';
import type { Document } from './ast';
import { checkDataFiles } from './dataCheck';
import type { FileProbe } from './dataCheck';
import { LineIndex } from './lines';
import { nodeFileProbe } from './nodeProbe';
import { parse } from './parser';
import { toExperimentSpec } from './toSpec';
import { validate } from './validate';
import type { Diagnostic, Severity } from './validate';

export { parse } from './parser';
export { validate, checks } from './validate';
export type { Diagnostic, Fix, Severity } from './validate';
export { checkDataFiles } from './dataCheck';
export type { FileProbe } from './dataCheck';
export { nodeFileProbe } from './nodeProbe';
export { toExperimentSpec } from './toSpec';
export { format } from './format';
export { LineIndex } from './lines';
export { schema, blocksOf, blockDocs, presets, didYouMean } from './schema';
export type * from './ast';

/** A diagnostic with 1-based line/column positions, as the CLI prints them. */
export interface FileDiagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly code?: string;
}

/** Everything the editor shows for a document: syntax, semantics and (optionally) data files. */
export async function diagnose(
  doc: Document,
  sourceFile: string,
  options: { checkData: boolean; probe?: FileProbe },
): Promise<Diagnostic[]> {
  const found = validate(doc);
  if (options.checkData)
    found.push(...(await checkDataFiles(doc, sourceFile, options.probe ?? nodeFileProbe())));
  return found.sort((a, b) => a.range.start - b.range.start);
}

export function toFileDiagnostic(d: Diagnostic, lines: LineIndex): FileDiagnostic {
  const start = lines.position(d.range.start);
  const end = lines.position(d.range.end);
  return {
    severity: d.severity,
    message: d.message,
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
    code: d.code,
  };
}

/** `file:line:col: severity: message`, as compilers print. */
export function formatDiagnostic(file: string, d: FileDiagnostic): string {
  return `${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

/**
 * Reads, parses and validates a stream file, and builds the spec of one stream (the first, or
 * `options.stream`) when there are no errors.
 */
export async function loadStreamFile(
  filePath: string,
  options: { stream?: string } = {},
): Promise<{ spec?: ExperimentSpec; diagnostics: readonly FileDiagnostic[] }> {
  const file = resolve(filePath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      diagnostics: [
        {
          severity: 'error',
          message:
            code === 'ENOENT' ? `No such file: ${file}` : `Cannot read ${file} (${code ?? String(error)})`,
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 1,
          code: 'read',
        },
      ],
    };
  }
  const doc = parse(text);
  const lines = new LineIndex(text);
  const diagnostics = (await diagnose(doc, file, { checkData: true })).map((d) => toFileDiagnostic(d, lines));
  const stream =
    options.stream !== undefined ? doc.streams.find((s) => s.name === options.stream) : doc.streams[0];
  if (stream === undefined) {
    const message =
      options.stream !== undefined
        ? `No stream named '${options.stream}' in ${file} (it has: ${doc.streams.map((s) => s.name).join(', ') || 'none'}).`
        : `${file} declares no stream.`;
    return {
      diagnostics: [
        ...diagnostics,
        { severity: 'error', message, line: 1, column: 1, endLine: 1, endColumn: 1, code: 'no-stream' },
      ],
    };
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { spec: toExperimentSpec(doc, stream, file), diagnostics };
}
