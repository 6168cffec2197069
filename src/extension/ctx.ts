import * as vscode from 'vscode';
import type { PanelKind } from '../protocol/webview';
import type { L2rApi, RunsViewRow } from './api';
import { StreamCodeLensProvider } from './codeLens';
import { registerCommands } from './commands';
import { restartSensitiveSettings } from './config';
import { LanguageSession } from './languageSession';
import { Log } from './log';
import { RunManager } from './runs/runManager';
import { RunStatusBar } from './runs/statusBar';
import { RunsTreeProvider } from './runs/runsTree';
import { RunStore } from './runs/runStore';
import { showRunProgress } from './runs/runNotification';
import { panelSpecs } from './panels/panelSpecs';
import { RunPanel } from './panels/runPanel';

/** Opens webview panels on run folders (implemented by src/extension/panels). */
export interface PanelOpener {
  open(kind: PanelKind, runDirs: readonly string[]): void;
}

/**
 * Owns every lifetime of the extension: one cleanup scope for the extension itself (commands,
 * views, output channel, run store), and one per session that can end on its own (the language
 * server; each training worker run, owned by the RunManager).
 */
export class Ctx implements vscode.Disposable {
  readonly log = new Log();
  readonly runStore = new RunStore();
  readonly runManager: RunManager;
  panels: PanelOpener;
  private readonly subscriptions: vscode.Disposable[] = [];
  private language: LanguageSession | undefined;

  constructor(readonly extension: vscode.ExtensionContext) {
    const workerScript = vscode.Uri.joinPath(extension.extensionUri, 'dist', 'worker.js').fsPath;
    this.runManager = new RunManager(workerScript, this.runStore, this.log);
    this.panels = {
      open: (kind, dirs) => RunPanel.createOrShow(panelSpecs[kind], extension.extensionUri, dirs),
    };
    this.push(this.log, this.runStore, this.runManager);
  }

  /** Registers things to dispose when the extension deactivates. */
  push(...disposables: vscode.Disposable[]): void {
    this.subscriptions.push(...disposables);
  }

  private tree: RunsTreeProvider | undefined;

  start(): void {
    registerCommands(this);
    const tree = new RunsTreeProvider(this.runStore, this.runManager);
    this.tree = tree;
    const codeLens = new StreamCodeLensProvider(() => this.language, this.runStore);
    this.push(
      tree,
      vscode.window.createTreeView('l2r.runs', { treeDataProvider: tree, showCollapseAll: true }),
      codeLens,
      vscode.languages.registerCodeLensProvider({ language: 'l2r' }, codeLens),
      new RunStatusBar(this.runManager),
      this.runStore.onDidChange(() => this.updateContextKeys()),
      this.runManager.onDidChange(() => this.updateContextKeys()),
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)),
    );
    for (const spec of Object.values(panelSpecs)) {
      this.push(
        vscode.window.registerWebviewPanelSerializer(spec.viewType, {
          deserializeWebviewPanel: (panel, state) => {
            RunPanel.revive(spec, panel, this.extension.extensionUri, state);
            return Promise.resolve();
          },
        }),
      );
    }
    this.language = new LanguageSession(this.extension.extensionUri, this.log);
    this.push({ dispose: () => void this.language?.dispose() });
    // Neither the language server nor the scan for run folders holds activation up: requests to the
    // server wait for it to be ready, and the Runs view fills in when the scan ends.
    this.language.start().catch((error: unknown) => {
      const message = `The L2R language server did not start: ${error instanceof Error ? error.message : String(error)}`;
      this.log.error(message);
      void vscode.window.showErrorMessage(message, 'Show Logs').then((choice) => {
        if (choice === 'Show Logs') this.log.channel.show(true);
      });
    });
    void this.runStore.refreshAll();
  }

  /** The read-only API `activate` returns (see ./api). */
  api(): L2rApi {
    const viewRows = (node?: Parameters<RunsTreeProvider['getChildren']>[0]): RunsViewRow[] =>
      (this.tree?.getChildren(node) ?? []).map((child) => {
        const item = this.tree?.getTreeItem(child);
        const label = item?.label;
        return {
          label: typeof label === 'string' ? label : (label?.label ?? ''),
          description: typeof item?.description === 'string' ? item.description : '',
          contextValue: item?.contextValue ?? '',
          children: viewRows(child),
        };
      });
    return {
      apiVersion: 1,
      onDidReceiveRunEvent: this.runManager.onEvent,
      onDidChangeRuns: this.runStore.onDidChange,
      runs: () =>
        this.runStore.list().map((r) => ({
          dir: r.dir,
          stream: r.meta.stream,
          status: this.runManager.isLive(r.dir) ? 'running' : r.status,
          backend: r.meta.backend,
          cil: r.meta.headline?.cil,
          til: r.meta.headline?.til,
        })),
      runsView: () => viewRows(),
      openPanels: () => RunPanel.openKinds(),
    };
  }

  requireLanguage(): LanguageSession {
    if (this.language === undefined)
      throw new Error('The L2R language server is not running. Run "Developer: Reload Window".');
    return this.language;
  }

  /** A cancellable notification for a run; offers the next step when it ends. */
  showRunProgress(runDir: string, stream: string): void {
    showRunProgress(this, runDir, stream);
  }

  private updateContextKeys(): void {
    void vscode.commands.executeCommand('setContext', 'l2r.hasRuns', this.runStore.list().length > 0);
    void vscode.commands.executeCommand('setContext', 'l2r.hasLiveRuns', this.runManager.live().length > 0);
  }

  private onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
    if (!restartSensitiveSettings.some((s) => event.affectsConfiguration(s))) return;
    void vscode.window
      .showInformationMessage(
        'This L2R setting applies to runs started after a window reload.',
        'Reload Window',
      )
      .then((choice) => {
        if (choice === 'Reload Window') void vscode.commands.executeCommand('workbench.action.reloadWindow');
      });
  }

  async dispose(): Promise<void> {
    const language = this.language;
    this.language = undefined;
    await language?.dispose();
    while (this.subscriptions.length > 0) this.subscriptions.pop()?.dispose();
  }
}
