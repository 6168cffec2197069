import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HostToWebviewMessage, PanelKind, WebviewToHostMessage } from '../../protocol/webview';
import { localResourceRoots, panelHtml } from './panelHtml';

/** What distinguishes one panel from another; everything else is RunPanel's. */
export interface PanelSpec {
  readonly kind: PanelKind;
  readonly viewType: string;
  readonly title: string;
  /** Run files whose changes refresh the panel (a glob relative to each run folder). */
  readonly watch: string;
  /** Several runs side by side (Results), or one run. */
  readonly multiple: boolean;
  /**
   * Reads the run folders into the message the panel shows. Panels that follow a growing file get
   * back the `cursor` they returned last time (undefined: send everything) and return the next one.
   */
  load(runDirs: readonly string[], cursor?: number): Promise<Loaded>;
}

export interface Loaded {
  readonly message: HostToWebviewMessage;
  /** Where the next load continues (e.g. bytes of the event log already sent). */
  readonly cursor?: number;
}

/** Refreshes after a burst of file changes wait this long: a live run writes often. */
const REFRESH_MS = 500;

/**
 * One webview panel on one or more run folders, following the VS Code webview sample:
 * createOrShow / revive (for the WebviewPanelSerializer), a strict nonce CSP, resource roots limited
 * to our bundles and media, its disposables in one place, and refreshes driven by a
 * FileSystemWatcher on the run files it shows. The panels read run folders through the host, so they
 * work for live runs, finished runs and runs made by the CLI.
 */
export class RunPanel implements vscode.Disposable {
  /** One panel per kind: showing another run reuses it. */
  private static readonly current = new Map<PanelKind, RunPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private watchers: vscode.Disposable | undefined;
  private pending: NodeJS.Timeout | undefined;
  /** How far the page has been sent a growing file; undefined: it must get everything. */
  private cursor: number | undefined;

  static openKinds(): PanelKind[] {
    return [...RunPanel.current.keys()];
  }

  static createOrShow(spec: PanelSpec, extensionUri: vscode.Uri, runDirs: readonly string[]): RunPanel {
    const dirs = spec.multiple ? runDirs : runDirs.slice(0, 1);
    const existing = RunPanel.current.get(spec.kind);
    if (existing !== undefined) {
      existing.show(dirs);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(spec.viewType, spec.title, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: localResourceRoots(extensionUri),
    });
    return new RunPanel(spec, panel, extensionUri, dirs);
  }

  /** Restores a panel after a window reload from the state its page saved (`runDirs` or `runDir`). */
  static revive(
    spec: PanelSpec,
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    state: unknown,
  ): RunPanel {
    const saved = (state ?? {}) as { runDirs?: string[]; runDir?: string };
    return new RunPanel(
      spec,
      panel,
      extensionUri,
      saved.runDirs ?? (saved.runDir !== undefined ? [saved.runDir] : []),
    );
  }

  private constructor(
    private readonly spec: PanelSpec,
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private runDirs: readonly string[],
  ) {
    RunPanel.current.set(spec.kind, this);
    panel.webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(extensionUri) };
    panel.webview.html = panelHtml(panel.webview, extensionUri, spec.kind, spec.title);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: WebviewToHostMessage) => void this.onMessage(m)),
    );
    this.watch();
  }

  private show(runDirs: readonly string[]): void {
    this.runDirs = runDirs;
    this.cursor = undefined;
    this.panel.reveal();
    this.watch();
    void this.send();
  }

  private watch(): void {
    this.watchers?.dispose();
    const later = (): void => {
      if (this.pending !== undefined) return;
      this.pending = setTimeout(() => {
        this.pending = undefined;
        void this.send();
      }, REFRESH_MS);
    };
    this.watchers = vscode.Disposable.from(
      ...this.runDirs.flatMap((dir) => {
        const w = vscode.workspace.createFileSystemWatcher(
          new vscode.RelativePattern(vscode.Uri.file(dir), this.spec.watch),
        );
        return [w, w.onDidChange(later), w.onDidCreate(later)];
      }),
    );
  }

  private async onMessage(message: WebviewToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        // A (re)loaded page has nothing yet.
        this.cursor = undefined;
        await this.send();
        break;
      case 'stopRun':
        await vscode.commands.executeCommand('l2r.stopRun', message.payload.runDir);
        break;
      case 'resumeRun':
        await vscode.commands.executeCommand('l2r.resumeRun', message.payload.runDir);
        break;
      case 'copyText':
        await vscode.env.clipboard.writeText(message.payload.text);
        void vscode.window.showInformationMessage('Copied as Markdown.');
        break;
      case 'exportFile': {
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.file(join(this.runDirs[0] ?? '', message.payload.suggestedName)),
        });
        if (target === undefined) return;
        const { content, encoding } = message.payload;
        const bytes =
          encoding === 'dataUrl'
            ? Buffer.from(content.replace(/^data:[^,]*,/, ''), 'base64')
            : Buffer.from(content, 'utf8');
        await vscode.workspace.fs.writeFile(target, bytes);
        break;
      }
    }
  }

  private async send(): Promise<void> {
    const { message, cursor } = await this.spec.load(this.runDirs, this.cursor);
    this.cursor = cursor;
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (RunPanel.current.get(this.spec.kind) === this) RunPanel.current.delete(this.spec.kind);
    this.watchers?.dispose();
    if (this.pending !== undefined) clearTimeout(this.pending);
    this.panel.dispose();
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
  }
}
