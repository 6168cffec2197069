import type * as vscode from 'vscode';
import type { RunEvent } from '../protocol/events';
import type { RunStatus } from '../protocol/runFolder';
import type { PanelKind } from '../protocol/webview';

/** One run as the extension knows it (from its run folder, and live state while it trains). */
export interface RunSummary {
  readonly dir: string;
  readonly stream: string;
  readonly status: RunStatus;
  readonly backend: string;
  readonly cil?: number;
  readonly til?: number;
}

/** One row of the "L2R Runs" view, as the user sees it. */
export interface RunsViewRow {
  readonly label: string;
  readonly description: string;
  readonly contextValue: string;
  readonly children: readonly RunsViewRow[];
}

/**
 * What `activate` returns: a small read-only API for other extensions (and the extension-host
 * tests) to follow runs. Starting, stopping and opening things goes through the `l2r.*` commands,
 * which take a stream file URI or a run folder path as their argument.
 */
export interface L2rApi {
  readonly apiVersion: 1;
  /** Every event of every run trained from this window, progress included, as the host receives it. */
  readonly onDidReceiveRunEvent: vscode.Event<{ readonly runDir: string; readonly event: RunEvent }>;
  /** Fires when a run folder appears, changes status or is deleted. */
  readonly onDidChangeRuns: vscode.Event<void>;
  runs(): readonly RunSummary[];
  /** The Runs view's rows, streams with their runs beneath. */
  runsView(): readonly RunsViewRow[];
  /** The kinds of run panels open in this window. */
  openPanels(): readonly PanelKind[];
}
