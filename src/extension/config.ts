import * as vscode from 'vscode';
import type { BackendPreference } from '../protocol/spec';

/**
 * Every setting of the extension, read in one place with its type and default. Read per use (and
 * per resource where the setting is resource-scoped), never cached, so changes apply at once.
 */
export interface L2rConfig {
  /** Compute backend preference for runs started from the editor; `auto` tries gpu -> node -> wasm -> cpu. */
  readonly backend: BackendPreference;
  /** Folder for run folders, relative to the stream file; empty = the stream's own `output` key. */
  readonly outputFolder: string;
  readonly maxConcurrentRuns: number;
  /** Heap limit of each training worker, in MB (Node's --max-old-space-size). */
  readonly workerMemoryMb: number;
  /** Progress updates per second forwarded from the worker. */
  readonly progressUpdatesPerSecond: number;
  /** Threads training isolated adapters per run; undefined: the engine's default (cores, at most 4). */
  readonly workerThreads: number | undefined;
}

const backends: readonly BackendPreference[] = ['auto', 'gpu', 'node', 'wasm', 'cpu'];

function clampInt(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value)));
}

export function readConfig(scope?: vscode.ConfigurationScope): L2rConfig {
  const c = vscode.workspace.getConfiguration('l2r', scope);
  const backend = c.get<string>('runs.backend', 'auto');
  const threads = clampInt(c.get<number>('worker.threads', 0), 0, 64);
  return {
    backend: (backends as readonly string[]).includes(backend) ? (backend as BackendPreference) : 'auto',
    outputFolder: c.get<string>('runs.outputFolder', '').trim(),
    maxConcurrentRuns: clampInt(c.get<number>('runs.maxConcurrent', 2), 1, 16),
    workerMemoryMb: clampInt(c.get<number>('worker.memoryLimitMb', 3072), 256, 65536),
    progressUpdatesPerSecond: clampInt(c.get<number>('progress.updatesPerSecond', 4), 1, 30),
    workerThreads: threads === 0 ? undefined : threads,
  };
}

/** Settings that only take effect for the next worker / language server start. */
export const restartSensitiveSettings: readonly string[] = ['l2r.worker.memoryLimitMb'];
