import { fork } from 'node:child_process';
import type { RunEvent } from '../protocol/events';
import type { BackendName } from '../protocol/spec';
import type { StartRunMessage } from '../protocol/worker';
import { isWorkerToHostMessage } from '../protocol/worker';

export type WorkerEnd =
  { kind: 'completed' } | { kind: 'cancelled' } | { kind: 'failed'; message: string; detail?: string };

/**
 * Runs one worker process to the end: sends `start`, forwards events, and turns a crash or kill
 * into `failed` with the worker's last words (its stderr tail).
 */
export function runWorker(
  script: string,
  start: StartRunMessage,
  handlers: {
    onBackend(name: BackendName, skipped: readonly string[]): void;
    onEvent(event: RunEvent): void;
  },
): { ended: Promise<WorkerEnd>; cancel(): void } {
  const child = fork(script, [], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced' });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    if (stderr.length > 50) stderr.shift();
  });
  let settled = false;
  const ended = new Promise<WorkerEnd>((resolve) => {
    const finish = (end: WorkerEnd): void => {
      if (settled) return;
      settled = true;
      resolve(end);
    };
    child.on('message', (message: unknown) => {
      if (!isWorkerToHostMessage(message)) return;
      if (message.kind === 'ready') child.send(start);
      else if (message.kind === 'backend') handlers.onBackend(message.backend, message.skipped);
      else if (message.kind === 'event') handlers.onEvent(message.event);
      else if (message.kind === 'completed') finish({ kind: 'completed' });
      else if (message.kind === 'cancelled') finish({ kind: 'cancelled' });
      else finish({ kind: 'failed', message: message.message, detail: message.detail });
    });
    child.on('exit', (code, signal) => {
      const tail = stderr.join('').trim().split('\n').slice(-5).join('\n');
      const oom = /heap out of memory/i.test(tail)
        ? ' It ran out of memory: lower the batch size or raise --max-old-space-size.'
        : '';
      finish({
        kind: 'failed',
        message: `the training worker ${signal !== null ? `was killed (${signal})` : `exited with code ${code ?? '?'}`}.${oom}`,
        detail: tail,
      });
    });
  });
  return {
    ended,
    cancel: () => {
      if (!settled && child.connected) child.send({ kind: 'cancel' });
    },
  };
}
