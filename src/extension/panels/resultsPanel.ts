import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { RUN_FILES } from '../../protocol/runFolder';
import type { HostToWebviewMessage, WebviewToHostMessage } from '../../protocol/webview';
import { localResourceRoots, panelHtml } from './panelHtml';

interface ResultsState {
  readonly runDirs: readonly string[];
}

/**
 * The Results panel: method comparison (mean ± std), per-task accuracy, accuracy matrices and
 * forgetting for one run or several side by side. Reads the run folders through the host and
 * refreshes when their metrics.json changes (runs still training, or made by the CLI).
 */
export class ResultsPanel implements vscode.Disposable {
  static readonly viewType = 'l2r.results';
  private static current: ResultsPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private runDirs: readonly string[];

  static createOrShow(extensionUri: vscode.Uri, runDirs: readonly string[]): ResultsPanel {
    const existing = ResultsPanel.current;
    if (existing !== undefined) {
      existing.show(runDirs);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      ResultsPanel.viewType,
      'L2R Results',
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        retainContextWhenHidden: false,
        localResourceRoots: localResourceRoots(extensionUri),
      },
    );
    ResultsPanel.current = new ResultsPanel(panel, extensionUri, runDirs);
    return ResultsPanel.current;
  }

  /** Restores a panel after a window reload (registered as a WebviewPanelSerializer). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: unknown): ResultsPanel {
    const runDirs = (state as Partial<ResultsState> | undefined)?.runDirs ?? [];
    ResultsPanel.current = new ResultsPanel(panel, extensionUri, runDirs);
    return ResultsPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    runDirs: readonly string[],
  ) {
    this.runDirs = runDirs;
    panel.webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(extensionUri) };
    panel.webview.html = panelHtml(panel.webview, extensionUri, 'results', 'L2R Results');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: WebviewToHostMessage) => void this.onMessage(m)),
    );
    this.watch();
  }

  private show(runDirs: readonly string[]): void {
    this.runDirs = runDirs;
    this.panel.reveal();
    this.watch();
    void this.send();
  }

  private watcher: vscode.Disposable | undefined;
  private watch(): void {
    this.watcher?.dispose();
    const watchers = this.runDirs.map((dir) => {
      const w = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(vscode.Uri.file(dir), RUN_FILES.metrics),
      );
      w.onDidChange(() => void this.send());
      w.onDidCreate(() => void this.send());
      return w;
    });
    this.watcher = vscode.Disposable.from(...watchers);
  }

  private async onMessage(message: WebviewToHostMessage): Promise<void> {
    if (message.type === 'ready') await this.send();
    else if (message.type === 'exportFile') {
      const target = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(join(this.runDirs[0] ?? '', message.payload.suggestedName)),
      });
      if (target === undefined) return;
      const content =
        message.payload.encoding === 'dataUrl'
          ? Buffer.from(message.payload.content.replace(/^data:[^,]*,/, ''), 'base64')
          : Buffer.from(message.payload.content, 'utf8');
      await vscode.workspace.fs.writeFile(target, content);
    } else if (message.type === 'copyText') {
      await vscode.env.clipboard.writeText(message.payload.text);
      void vscode.window.showInformationMessage('Copied as Markdown.');
    }
  }

  private async send(): Promise<void> {
    const runs: { runDir: string; metrics: string }[] = [];
    const missing: string[] = [];
    for (const runDir of this.runDirs) {
      try {
        runs.push({ runDir, metrics: await readFile(join(runDir, RUN_FILES.metrics), 'utf8') });
      } catch {
        missing.push(basename(runDir));
      }
    }
    const message: HostToWebviewMessage =
      runs.length === 0
        ? {
            type: 'error',
            payload: {
              message: `No results yet for ${missing.join(', ') || 'this run'}: metrics.json appears when a run finishes.`,
            },
          }
        : { type: 'results', payload: { runs } };
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    ResultsPanel.current = undefined;
    this.watcher?.dispose();
    this.panel.dispose();
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
  }
}
