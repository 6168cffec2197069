import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { RUN_FILES } from '../../protocol/runFolder';
import type { RunMeta } from '../../protocol/runFolder';
import type { HostToWebviewMessage, WebviewToHostMessage } from '../../protocol/webview';
import { localResourceRoots, panelHtml } from './panelHtml';

/**
 * The Progress panel: the stream's timeline, loss curves per adapter and router, throughput, ETA and
 * backend, from the run folder's events.jsonl (so it works for live runs, finished runs and CLI runs).
 * Updates are throttled: the log is re-read at most twice a second while it grows.
 */
export class ProgressPanel implements vscode.Disposable {
  static readonly viewType = 'l2r.progress';
  private static current: ProgressPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private watcher: vscode.Disposable | undefined;
  private pending: NodeJS.Timeout | undefined;

  static createOrShow(extensionUri: vscode.Uri, runDir: string): ProgressPanel {
    if (ProgressPanel.current !== undefined) {
      ProgressPanel.current.show(runDir);
      return ProgressPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      ProgressPanel.viewType,
      'L2R Progress',
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: localResourceRoots(extensionUri),
      },
    );
    ProgressPanel.current = new ProgressPanel(panel, extensionUri, runDir);
    return ProgressPanel.current;
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: unknown): ProgressPanel {
    const runDir = (state as { runDir?: string } | undefined)?.runDir ?? '';
    ProgressPanel.current = new ProgressPanel(panel, extensionUri, runDir);
    return ProgressPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private runDir: string,
  ) {
    panel.webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(extensionUri) };
    panel.webview.html = panelHtml(panel.webview, extensionUri, 'progress', 'L2R Progress');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: WebviewToHostMessage) => void this.onMessage(m)),
    );
    this.watch();
  }

  private show(runDir: string): void {
    this.runDir = runDir;
    this.panel.reveal();
    this.watch();
    void this.send();
  }

  private watch(): void {
    this.watcher?.dispose();
    const w = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(this.runDir), '{events.jsonl,run.json}'),
    );
    const later = (): void => {
      if (this.pending !== undefined) return;
      this.pending = setTimeout(() => {
        this.pending = undefined;
        void this.send();
      }, 500);
    };
    this.watcher = vscode.Disposable.from(w, w.onDidChange(later), w.onDidCreate(later));
  }

  private async onMessage(message: WebviewToHostMessage): Promise<void> {
    if (message.type === 'ready') await this.send();
    else if (message.type === 'stopRun')
      await vscode.commands.executeCommand('l2r.stopRun', message.payload.runDir);
    else if (message.type === 'resumeRun')
      await vscode.commands.executeCommand('l2r.resumeRun', message.payload.runDir);
    else if (message.type === 'exportFile') {
      const target = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(join(this.runDir, message.payload.suggestedName)),
      });
      if (target === undefined) return;
      const content =
        message.payload.encoding === 'dataUrl'
          ? Buffer.from(message.payload.content.replace(/^data:[^,]*,/, ''), 'base64')
          : Buffer.from(message.payload.content, 'utf8');
      await vscode.workspace.fs.writeFile(target, content);
    }
  }

  private async send(): Promise<void> {
    let message: HostToWebviewMessage;
    try {
      const lines = await readFile(join(this.runDir, RUN_FILES.events), 'utf8');
      const meta = await readFile(join(this.runDir, RUN_FILES.meta), 'utf8')
        .then((t) => JSON.parse(t) as RunMeta)
        .catch(() => undefined);
      message = {
        type: 'events',
        payload: { runDir: this.runDir, lines, status: meta?.status ?? 'running' },
      };
    } catch {
      message = {
        type: 'error',
        payload: {
          message: `No progress yet: ${join(this.runDir, RUN_FILES.events)} does not exist. Start or resume the run.`,
        },
      };
    }
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    ProgressPanel.current = undefined;
    this.watcher?.dispose();
    if (this.pending !== undefined) clearTimeout(this.pending);
    this.panel.dispose();
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
  }
}
