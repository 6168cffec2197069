// The extension-host suite in a workspace VS Code does not trust (Restricted Mode): the language
// features work, runs are refused with the reason, and nothing is started or written.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { L2rApi } from '../../../src/extension/api';
import { runSuite } from './runner';
import { waitFor } from './wait';

function define(): void {
  const folder = (): vscode.Uri => {
    const f = vscode.workspace.workspaceFolders?.[0];
    assert.ok(f !== undefined, 'the test workspace is open');
    return f.uri;
  };

  it('runs in a workspace that is not trusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still validates .l2r files (language features are not restricted)', async () => {
    const uri = vscode.Uri.joinPath(folder(), 'broken.l2r');
    await vscode.window.showTextDocument(uri);
    const diagnostic = await waitFor('the diagnostic', [vscode.languages.onDidChangeDiagnostics], () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.message.includes("Unknown key 'epocsh'")),
    );
    assert.match(diagnostic.message, /did you mean 'epochs'/);
  });

  it('refuses Run Stream and Resume Run without starting a worker or writing a run folder', async () => {
    const extension = vscode.extensions.getExtension<L2rApi>('l2r-studio.l2r-studio');
    assert.ok(extension !== undefined);
    const api = await extension.activate();
    const started: string[] = [];
    const subscription = api.onDidReceiveRunEvent(({ runDir }) => started.push(runDir));
    const tiny = vscode.Uri.joinPath(folder(), 'tiny.l2r');
    assert.equal(await vscode.commands.executeCommand('l2r.runStream', tiny), undefined);
    assert.equal(await vscode.commands.executeCommand('l2r.runWithOptions', tiny), undefined);
    assert.equal(await vscode.commands.executeCommand('l2r.resumeRun'), undefined);
    subscription.dispose();
    assert.deepEqual(started, []);
    assert.deepEqual(api.runs(), []);
    assert.equal(existsSync(join(folder().fsPath, '.l2r', 'runs')), false);
  });
}

export function run(): Promise<void> {
  return runSuite('untrusted', define);
}
