import * as vscode from 'vscode';
import type { RunManager } from './runManager';
import { statusText } from './statusText';

/** One status bar item for all live runs: the newest run's task, phase, epoch and ETA. */
export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'l2r.runStatus',
    vscode.StatusBarAlignment.Left,
    50,
  );
  private readonly subscription: vscode.Disposable;

  constructor(private readonly manager: RunManager) {
    this.item.name = 'L2R Run Progress';
    this.item.command = 'l2r.openProgress';
    this.subscription = manager.onDidChange(() => this.render());
    this.render();
  }

  private render(): void {
    const live = this.manager.live();
    const newest = live[live.length - 1];
    if (newest === undefined) {
      this.item.hide();
      return;
    }
    this.item.text = `$(sync~spin) ${statusText(newest)}${live.length > 1 ? ` (+${live.length - 1})` : ''}`;
    this.item.tooltip = `${newest.stream}: ${newest.runDir}\nBackend: ${newest.backend ?? 'starting'}\nClick to open the progress panel.`;
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
