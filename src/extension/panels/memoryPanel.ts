import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { RUN_FILES } from '../../protocol/runFolder';
import type { HostToWebviewMessage, WebviewToHostMessage } from '../../protocol/webview';
import { localResourceRoots, panelHtml } from './panelHtml';

/** The Memory panel: every example the replay memory holds, with filters, search and class balance. */
export class MemoryPanel implements vscode.Disposable {
  static readonly viewType = 'l2r.memory';
  private static current: MemoryPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static createOrShow(extensionUri: vscode.Uri, runDir: string): MemoryPanel {
    if (MemoryPanel.current !== undefined) {
      MemoryPanel.current.runDir = runDir;
      MemoryPanel.current.panel.reveal();
      void MemoryPanel.current.send();
      return MemoryPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      MemoryPanel.viewType,
      'L2R Memory',
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: localResourceRoots(extensionUri),
      },
    );
    MemoryPanel.current = new MemoryPanel(panel, extensionUri, runDir);
    return MemoryPanel.current;
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: unknown): MemoryPanel {
    MemoryPanel.current = new MemoryPanel(
      panel,
      extensionUri,
      (state as { runDir?: string } | undefined)?.runDir ?? '',
    );
    return MemoryPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private runDir: string,
  ) {
    panel.webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(extensionUri) };
    panel.webview.html = panelHtml(panel.webview, extensionUri, 'memory', 'L2R Memory');
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(runDir), RUN_FILES.memory),
    );
    this.disposables.push(
      watcher,
      watcher.onDidChange(() => void this.send()),
      watcher.onDidCreate(() => void this.send()),
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: WebviewToHostMessage) => {
        if (m.type === 'ready') void this.send();
      }),
    );
  }

  private async send(): Promise<void> {
    let message: HostToWebviewMessage;
    try {
      const records = await readFile(join(this.runDir, RUN_FILES.memory), 'utf8');
      const events = await readFile(join(this.runDir, RUN_FILES.events), 'utf8').catch(() => '');
      message = { type: 'memory', payload: { runDir: this.runDir, records, events } };
    } catch {
      message = {
        type: 'error',
        payload: {
          message: `No memory yet: ${RUN_FILES.memory} is written when the run finishes its first stream pass.`,
        },
      };
    }
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    MemoryPanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
  }
}
