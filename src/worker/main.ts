// The training worker: one process per run, started by a host (the extension or the CLI) with
// child_process.fork. It speaks src/protocol/worker.ts over IPC and runs the engine.
import type { RunEvent } from '../protocol/events';
import type { StartRunMessage, WorkerToHostMessage } from '../protocol/worker';
import { isHostToWorkerMessage } from '../protocol/worker';
import { defaultLoaders, markFailed, runExperiment, selectBackend } from '../engine';
import { assetPaths, hereOf } from './assets';
import { ProgressThrottle } from './throttle';

let cancelled = false;
let runDir: string | undefined;

function send(message: WorkerToHostMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

async function fail(message: string, detail?: string): Promise<never> {
  if (runDir !== undefined) await markFailed(runDir, message, detail).catch(() => undefined);
  await send({ kind: 'failed', message, detail });
  process.exit(1);
}

async function start(message: StartRunMessage): Promise<void> {
  runDir = message.runDir;
  const assets = assetPaths(hereOf(import.meta.url));
  const backend = await selectBackend(
    message.backend ?? message.spec.backend,
    defaultLoaders({ wasmDir: assets.wasmDir }),
  );
  await send({ kind: 'backend', backend: backend.name, skipped: backend.skipped });
  const throttle = new ProgressThrottle(message.progressIntervalMs ?? 250);
  const outcome = await runExperiment(message.spec, {
    runDir: message.runDir,
    tf: backend.tf,
    backend: backend.name,
    resume: message.resume,
    seeds: message.seeds,
    gloveFile: assets.gloveFile,
    adapterThread: {
      script: assets.adapterThread,
      wasmDir: assets.wasmDir,
      gradientScript: assets.gradientThread,
    },
    threads: message.threads,
    kernels: message.kernels,
    shouldStop: () => cancelled,
    onEvent: (event: RunEvent) => {
      if (throttle.admit(event)) void send({ kind: 'event', event });
    },
  });
  await send(
    outcome.kind === 'completed'
      ? { kind: 'completed', runDir: message.runDir }
      : { kind: 'cancelled', runDir: message.runDir },
  );
  process.exit(0);
}

process.on('message', (message: unknown) => {
  if (!isHostToWorkerMessage(message)) return;
  if (message.kind === 'cancel') {
    cancelled = true;
    return;
  }
  start(message).catch((error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    return fail(text, error instanceof Error ? error.stack : undefined);
  });
});
process.on(
  'uncaughtException',
  (error) => void fail(`The training worker crashed: ${error.message}`, error.stack),
);
process.on('disconnect', () => process.exit(0));

void send({ kind: 'ready', pid: process.pid });
