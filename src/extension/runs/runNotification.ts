import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { statusText } from './statusText';

/**
 * A cancellable notification that follows one run (cancel = stop the run, keeping what is done),
 * then says how it ended with the next useful action.
 */
export function showRunProgress(ctx: Ctx, runDir: string, stream: string): void {
  const ended = ctx.runManager.whenEnded(runDir);
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `L2R: ${stream}`, cancellable: true },
    async (progress, token) => {
      token.onCancellationRequested(() => ctx.runManager.stop(runDir));
      let reported = 0;
      const subscription = ctx.runManager.onDidChange((state) => {
        if (state?.runDir !== runDir) return;
        const fraction = state.totalUnits > 0 ? state.unitsDone / state.totalUnits : 0;
        const increment = Math.max(0, fraction * 100 - reported);
        reported += increment;
        progress.report({ message: statusText(state), increment });
      });
      try {
        return await ended;
      } finally {
        subscription.dispose();
      }
    },
  );
  void ended.then(async (end) => {
    if (end === undefined) return;
    if (end.kind === 'completed') {
      const choice = await vscode.window.showInformationMessage(
        `L2R run of ${stream} finished.`,
        'Open Results',
      );
      if (choice === 'Open Results') ctx.panels.open('results', [runDir]);
    } else if (end.kind === 'cancelled') {
      const choice = await vscode.window.showInformationMessage(
        `L2R run of ${stream} stopped; completed work is kept.`,
        'Resume',
      );
      if (choice === 'Resume') await vscode.commands.executeCommand('l2r.resumeRun', runDir);
    } else {
      const choice = await vscode.window.showErrorMessage(
        `L2R run of ${stream} failed: ${end.message}`,
        'Open Logs',
        'Resume',
      );
      if (choice === 'Open Logs') ctx.log.channel.show(true);
      if (choice === 'Resume') await vscode.commands.executeCommand('l2r.resumeRun', runDir);
    }
  });
}
