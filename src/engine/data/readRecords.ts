import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { DataFormat } from '../../protocol/spec';
import { DataError } from './dataset';

/** A row of a data file with the fields the task names, and where it came from. */
export interface RawRecord {
  readonly text: string;
  readonly label: string;
  /** Value of the split key, when the task has one. */
  readonly group?: string;
  readonly line: number;
}

export interface FieldNames {
  readonly text: string;
  readonly label: string;
  readonly splitKey?: string;
}

export async function readRecords(
  file: string,
  format: DataFormat,
  fields: FieldNames,
): Promise<RawRecord[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(
      file,
      undefined,
      code === 'ENOENT'
        ? 'file not found; check the path in the stream file'
        : `cannot read (${code ?? String(error)})`,
    );
  }
  if (content.charCodeAt(0) === 0xfeff) content = content.slice(1);
  const records =
    format === 'jsonl' ? parseJsonl(file, content, fields) : parseDelimited(file, content, format, fields);
  if (records.length === 0) throw new DataError(file, undefined, 'no rows: the task has no data');
  return records;
}

function field(file: string, line: number, row: Record<string, unknown>, name: string, what: string): string {
  const value = row[name];
  if (value === undefined || value === null)
    throw new DataError(file, line, `missing ${what} field "${name}"`);
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new DataError(file, line, `${what} field "${name}" must be a string or number`);
  }
  return String(value);
}

function toRecord(file: string, line: number, row: Record<string, unknown>, fields: FieldNames): RawRecord {
  const text = field(file, line, row, fields.text, 'text');
  const label = field(file, line, row, fields.label, 'label').trim();
  if (label === '') throw new DataError(file, line, `empty label in field "${fields.label}"`);
  const group =
    fields.splitKey !== undefined ? field(file, line, row, fields.splitKey, 'split key') : undefined;
  return { text, label, group, line };
}

function parseJsonl(file: string, content: string, fields: FieldNames): RawRecord[] {
  const out: RawRecord[] = [];
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]?.trim() ?? '';
    if (text === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (error) {
      throw new DataError(file, i + 1, `not valid JSON (${(error as Error).message})`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      throw new DataError(file, i + 1, 'each line must be a JSON object');
    out.push(toRecord(file, i + 1, row as Record<string, unknown>, fields));
  }
  return out;
}

function parseDelimited(
  file: string,
  content: string,
  format: 'csv' | 'tsv',
  fields: FieldNames,
): RawRecord[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(content, {
      columns: true,
      delimiter: format === 'tsv' ? '\t' : ',',
      skip_empty_lines: true,
      relax_quotes: format === 'tsv',
      trim: false,
    }) as Record<string, string>[];
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw new DataError(file, e.lines, e.message.replace(/^Invalid [^:]*: /, ''));
  }
  const header = rows[0] !== undefined ? Object.keys(rows[0]) : [];
  for (const [name, what] of [
    [fields.text, 'text'],
    [fields.label, 'label'],
    ...(fields.splitKey !== undefined ? [[fields.splitKey, 'split key'] as const] : []),
  ] as const) {
    if (rows.length > 0 && !header.includes(name)) {
      throw new DataError(
        file,
        1,
        `no ${what} column "${name}" in the header (columns: ${header.join(', ')})`,
      );
    }
  }
  // Line numbers: header is line 1; records follow (multi-line quoted fields make this approximate).
  return rows.map((row, i) => toRecord(file, i + 2, row, fields));
}
