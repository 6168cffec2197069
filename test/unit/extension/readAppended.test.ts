import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readAppended } from '../../../src/extension/panels/panelSpecs';

describe('the Progress panel reads only what the event log gained', () => {
  it('sends complete lines, continues where it stopped, and starts over when the file was replaced', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'l2r-append-')), 'events.jsonl');
    writeFileSync(path, '{"a":1}\n{"é":2}\n{"b":');
    const first = await readAppended(path, 0);
    assert.deepEqual(first, {
      lines: '{"a":1}\n{"é":2}\n',
      from: 0,
      end: Buffer.byteLength('{"a":1}\n{"é":2}\n'),
    });
    appendFileSync(path, '3}\n{"c":4}\n');
    const next = await readAppended(path, first.end);
    assert.deepEqual(next, { lines: '{"b":3}\n{"c":4}\n', from: first.end, end: first.end + 16 });
    const nothing = await readAppended(path, next.end);
    assert.equal(nothing.lines, '');
    writeFileSync(path, '{"new":1}\n');
    assert.deepEqual(await readAppended(path, next.end), { lines: '{"new":1}\n', from: 0, end: 10 });
  });
});
