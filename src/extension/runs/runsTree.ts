import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { RunInfo, RunStore } from './runStore';
import type { RunManager } from './runManager';

type Node =
  | { readonly kind: 'stream'; readonly sourceFile: string; readonly stream: string }
  | { readonly kind: 'run'; readonly run: RunInfo };

const statusIcons: Record<string, string> = {
  running: 'sync~spin',
  completed: 'pass',
  failed: 'error',
  cancelled: 'circle-slash',
  interrupted: 'debug-pause',
};

/** The "L2R Runs" view: runs grouped by stream file, newest first. */
export class RunsTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<Node | undefined>();
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChangeTreeData = this.changeEmitter.event;

  constructor(
    private readonly store: RunStore,
    private readonly manager: RunManager,
  ) {
    this.subscriptions = [
      store.onDidChange(() => this.changeEmitter.fire(undefined)),
      manager.onDidChange((state) => {
        if (state === undefined) this.changeEmitter.fire(undefined);
      }),
      this.changeEmitter,
    ];
  }

  getChildren(node?: Node): Node[] {
    const runs = this.store.list();
    if (node === undefined) {
      const streams = new Map<string, Node>();
      for (const run of runs) {
        if (!streams.has(run.meta.sourceFile)) {
          streams.set(run.meta.sourceFile, {
            kind: 'stream',
            sourceFile: run.meta.sourceFile,
            stream: run.meta.stream,
          });
        }
      }
      return [...streams.values()];
    }
    if (node.kind === 'stream') {
      return runs.filter((r) => r.meta.sourceFile === node.sourceFile).map((run) => ({ kind: 'run', run }));
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'stream') {
      const item = new vscode.TreeItem(node.stream, vscode.TreeItemCollapsibleState.Expanded);
      item.description = basename(node.sourceFile);
      item.tooltip = node.sourceFile;
      item.resourceUri = vscode.Uri.file(node.sourceFile);
      item.iconPath = new vscode.ThemeIcon('list-ordered');
      item.contextValue = 'l2r.stream';
      return item;
    }
    return runItem(node.run, this.manager.isLive(node.run.dir));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

function runItem(run: RunInfo, live: boolean): vscode.TreeItem {
  const status = live ? 'running' : run.status;
  const item = new vscode.TreeItem(
    new Date(run.meta.createdAt).toLocaleString(),
    vscode.TreeItemCollapsibleState.None,
  );
  const metrics: string[] = [];
  if (run.meta.headline?.cil !== undefined) metrics.push(`CIL ${run.meta.headline.cil.toFixed(1)}%`);
  if (run.meta.headline?.til !== undefined) metrics.push(`TIL ${run.meta.headline.til.toFixed(1)}%`);
  item.description = [status, run.meta.backend, ...metrics].join(' · ');
  item.tooltip = new vscode.MarkdownString(
    [
      `**${run.meta.stream}** — ${status}`,
      `Folder: \`${run.dir}\``,
      `Backend: ${run.meta.backend}`,
      run.meta.message ?? '',
    ]
      .filter((l) => l !== '')
      .join('\n\n'),
  );
  item.iconPath = new vscode.ThemeIcon(statusIcons[status] ?? 'circle-outline');
  item.contextValue = `l2r.run.${status}`;
  item.command = { command: 'l2r.openResults', title: 'Open Results', arguments: [run.dir] };
  item.id = run.dir;
  return item;
}

/** The run folder a tree node or command argument stands for. */
export function runDirOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg !== 'object' || arg === null) return undefined;
  const node = arg as Partial<{ kind: string; run: RunInfo }>;
  return node.kind === 'run' && node.run !== undefined ? node.run.dir : undefined;
}
