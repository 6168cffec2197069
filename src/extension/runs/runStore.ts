import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { RunMeta, RunStatus } from '../../protocol/runFolder';
import { RUN_FILES } from '../../protocol/runFolder';

/** A run folder as the host knows it: what run.json says, and what that means now. */
export interface RunInfo {
  readonly dir: string;
  readonly meta: RunMeta;
  /** `running` in run.json but no live worker: the run was interrupted (e.g. VS Code reloaded). */
  readonly status: RunStatus;
}

/** True when a process with this PID exists (signal 0 only checks). */
function processAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readRunInfo(dir: string): Promise<RunInfo | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(dir, RUN_FILES.meta), 'utf8')) as RunMeta;
    if (typeof meta.runId !== 'string' || typeof meta.status !== 'string') return undefined;
    const status: RunStatus =
      meta.status === 'running' && !processAlive(meta.pid) ? 'interrupted' : meta.status;
    return { dir, meta, status };
  } catch {
    return undefined;
  }
}

/**
 * The runs of the workspace, kept current by a FileSystemWatcher on run.json files (no polling).
 * Run folders are the truth: this store only reads them.
 */
export class RunStore implements vscode.Disposable {
  private readonly runs = new Map<string, RunInfo>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly extraDirs = new Set<string>();

  readonly onDidChange = this.changeEmitter.event;

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${RUN_FILES.meta}`);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => void this.refreshOne(dirname(uri.fsPath))),
      watcher.onDidChange((uri) => void this.refreshOne(dirname(uri.fsPath))),
      watcher.onDidDelete((uri) => this.forget(dirname(uri.fsPath))),
      this.changeEmitter,
    );
  }

  list(): readonly RunInfo[] {
    return [...this.runs.values()].sort((a, b) => b.meta.createdAt.localeCompare(a.meta.createdAt));
  }

  get(dir: string): RunInfo | undefined {
    return this.runs.get(dir);
  }

  /** Runs of one stream file, newest first. */
  forStream(sourceFile: string): readonly RunInfo[] {
    return this.list().filter((r) => r.meta.sourceFile === sourceFile);
  }

  /** Tracks a run folder outside the workspace (e.g. an output folder elsewhere). */
  track(dir: string): void {
    this.extraDirs.add(dir);
    void this.refreshOne(dir);
  }

  async refreshAll(): Promise<void> {
    const found = await vscode.workspace.findFiles(`**/${RUN_FILES.meta}`, '**/node_modules/**', 5000);
    const dirs = new Set([...found.map((u) => dirname(u.fsPath)), ...this.extraDirs]);
    this.runs.clear();
    const infos = await Promise.all([...dirs].map((d) => readRunInfo(d)));
    for (const info of infos) if (info !== undefined) this.runs.set(info.dir, info);
    this.changeEmitter.fire();
  }

  async refreshOne(dir: string): Promise<void> {
    const info = await readRunInfo(dir);
    if (info === undefined) this.runs.delete(dir);
    else this.runs.set(dir, info);
    this.changeEmitter.fire();
  }

  forget(dir: string): void {
    if (this.runs.delete(dir)) this.changeEmitter.fire();
  }

  dispose(): void {
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
  }
}
