import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { RUN_FILES } from '../../protocol/runFolder';
import type { HostToWebviewMessage, WebviewToHostMessage } from '../../protocol/webview';
import { localResourceRoots, panelHtml } from './panelHtml';

/** The Router Composition panel: per layer, which adapters the routers combine for which tasks, the routing confusion, and per-example traces. */
export class RouterPanel implements vscode.Disposable {
  static readonly viewType = 'l2r.router';
  private static current: RouterPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static createOrShow(extensionUri: vscode.Uri, runDir: string): RouterPanel {
    if (RouterPanel.current !== undefined) {
      RouterPanel.current.runDir = runDir;
      RouterPanel.current.panel.reveal();
      void RouterPanel.current.send();
      return RouterPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      RouterPanel.viewType,
      'L2R Router Composition',
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: localResourceRoots(extensionUri),
      },
    );
    RouterPanel.current = new RouterPanel(panel, extensionUri, runDir);
    return RouterPanel.current;
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: unknown): RouterPanel {
    RouterPanel.current = new RouterPanel(
      panel,
      extensionUri,
      (state as { runDir?: string } | undefined)?.runDir ?? '',
    );
    return RouterPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private runDir: string,
  ) {
    panel.webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(extensionUri) };
    panel.webview.html = panelHtml(panel.webview, extensionUri, 'router', 'L2R Router Composition');
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(runDir), RUN_FILES.routing),
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
      message = {
        type: 'routing',
        payload: { runDir: this.runDir, json: await readFile(join(this.runDir, RUN_FILES.routing), 'utf8') },
      };
    } catch {
      message = {
        type: 'error',
        payload: {
          message: `No routing yet: ${RUN_FILES.routing} is written when the run finishes its evaluation.`,
        },
      };
    }
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    RouterPanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
  }
}
