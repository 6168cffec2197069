import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type {
  CompletionItem,
  Hover,
  Location,
  PublishDiagnosticsParams,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import type { ExperimentSpecResult } from '../../src/protocol/lsp';

const root = join(import.meta.dirname, '..', '..');
const folder = mkdtempSync(join(tmpdir(), 'l2r-lsp-'));
const file = join(folder, 's.l2r');
const uri = pathToFileURL(file).href;
writeFileSync(join(folder, 'a.jsonl'), '{"text":"hello","label":"x"}\n{"text":"bye","label":"y"}\n');
const text =
  'stream s {\n  order main = [alpha]\n  adapter { epocsh = 3 }\n}\ntask alpha {\n  data = "a.jsonl"\n}\n';

describe('language server over stdio (the built dist/server.js)', () => {
  let server: ChildProcess;
  let connection: MessageConnection;
  const diagnostics: PublishDiagnosticsParams[] = [];
  const waiters: (() => void)[] = [];

  /** Resolves when a publishDiagnostics for `uri` satisfies `predicate` (never a sleep). */
  function diagnosticsWhere(
    predicate: (p: PublishDiagnosticsParams) => boolean,
  ): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const found = diagnostics.find(predicate);
        if (found !== undefined) resolve(found);
        return found !== undefined;
      };
      if (!check()) waiters.push(() => void check());
    });
  }

  before(async () => {
    server = spawn(process.execPath, [join(root, 'dist', 'server.js'), '--stdio'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    connection = createMessageConnection(
      new StreamMessageReader(server.stdout!),
      new StreamMessageWriter(server.stdin!),
    );
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      diagnostics.push(p);
      for (const w of waiters.splice(0)) w();
    });
    connection.onRequest('workspace/configuration', () => [{ checkDataFiles: true }]);
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(folder).href,
      capabilities: { workspace: { configuration: true } },
    });
    await connection.sendNotification('initialized', {});
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'l2r', version: 1, text },
    });
  });

  after(() => {
    connection.dispose();
    server.kill();
  });

  it('publishes the unknown-key diagnostic with its range', async () => {
    const p = await diagnosticsWhere((d) => d.uri === uri && d.diagnostics.length > 0);
    const d = p.diagnostics[0];
    assert.match(JSON.stringify(d?.message ?? ''), /Unknown key 'epocsh'.*did you mean 'epochs'/);
    assert.deepEqual(d?.range, { start: { line: 2, character: 12 }, end: { line: 2, character: 18 } });
  });

  it('completes keys of the block under the cursor', async () => {
    const items = await connection.sendRequest<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 2, character: 12 },
    });
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('bottleneck') && labels.includes('epochs'), labels.join(','));
  });

  it('completes task names inside an order', async () => {
    const items = await connection.sendRequest<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 1, character: 16 },
    });
    assert.deepEqual(
      items.map((i) => i.label),
      ['alpha'],
    );
  });

  it('hovers a key with its documentation', async () => {
    const h = await connection.sendRequest<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: { line: 5, character: 3 },
    });
    assert.match(JSON.stringify(h.contents), /Training data file/);
  });

  it('goes from a task reference to its declaration', async () => {
    const loc = await connection.sendRequest<Location>('textDocument/definition', {
      textDocument: { uri },
      position: { line: 1, character: 17 },
    });
    assert.deepEqual(loc.range.start, { line: 4, character: 5 });
  });

  it('renames a task everywhere', async () => {
    const edit = await connection.sendRequest<WorkspaceEdit>('textDocument/rename', {
      textDocument: { uri },
      position: { line: 4, character: 6 },
      newName: 'beta',
    });
    const edits = edit.changes?.[uri] ?? [];
    assert.equal(edits.length, 2);
    assert.ok(edits.every((e) => e.newText === 'beta'));
  });

  it('answers l2r/experimentSpec with the problems that block a run', async () => {
    const result = await connection.sendRequest<ExperimentSpecResult>('l2r/experimentSpec', { uri });
    assert.equal(result.ok, false);
  });

  it('answers l2r/experimentSpec with the spec once the file is fixed', async () => {
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: text.replace('epocsh', 'epochs') }],
    });
    await diagnosticsWhere((d) => d.uri === uri && d.version === 2);
    const result = await connection.sendRequest<ExperimentSpecResult>('l2r/experimentSpec', { uri });
    assert.ok(result.ok);
    assert.equal(result.ok && result.spec.adapter.epochs, 3);
    assert.equal(result.ok && result.spec.tasks[0]?.data.train, join(folder, 'a.jsonl'));
  });
});
