import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import type { RunEvent } from '../../protocol/events';
import type { BackendName } from '../../protocol/spec';
import type { StartRunMessage, WorkerToHostMessage } from '../../protocol/worker';
import { isWorkerToHostMessage } from '../../protocol/worker';

/** How a worker session ended. */
export type SessionEnd =
  | { readonly kind: 'completed' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'failed'; readonly message: string; readonly detail?: string };

/** How long a cancelled worker gets to stop at a step boundary before it is killed. */
const cancelGraceMs = 5000;

/**
 * One training run in its own worker process: the host side of src/protocol/worker.ts. A crash,
 * an out-of-memory or a kill of the worker ends the session with `failed` and the worker's last
 * words; it never takes the extension host down.
 */
export class WorkerSession implements vscode.Disposable {
  private readonly child: ChildProcess;
  private readonly eventEmitter = new vscode.EventEmitter<RunEvent>();
  private readonly backendEmitter = new vscode.EventEmitter<BackendName>();
  private readonly stderrTail: string[] = [];
  private lastMessage = '';
  private ended: SessionEnd | undefined;
  private cancelTimer: NodeJS.Timeout | undefined;
  private resolveEnd: (end: SessionEnd) => void = () => undefined;

  /** Run events as they arrive (progress already throttled by the worker). */
  readonly onEvent = this.eventEmitter.event;
  /** Fires once with the compute backend the worker chose. */
  readonly onBackend = this.backendEmitter.event;
  /** Settles when the worker has ended, however it ended. */
  readonly ended$: Promise<SessionEnd>;

  constructor(
    workerScript: string,
    readonly start: StartRunMessage,
    options: { readonly memoryMb: number; readonly log: (line: string) => void },
  ) {
    this.ended$ = new Promise((resolve) => (this.resolveEnd = resolve));
    this.child = fork(workerScript, [], {
      execArgv: [`--max-old-space-size=${options.memoryMb}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child.stdout?.on('data', (chunk: Buffer) => options.log(chunk.toString().trimEnd()));
    this.child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString().trimEnd();
      options.log(text);
      this.stderrTail.push(text);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
    });
    this.child.on('message', (message: unknown) => {
      if (isWorkerToHostMessage(message)) this.handle(message);
    });
    this.child.on('error', (error) =>
      this.finish({ kind: 'failed', message: `The training worker could not start: ${error.message}` }),
    );
    this.child.on('exit', (code, signal) => this.onExit(code, signal));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get runDir(): string {
    return this.start.runDir;
  }

  get isRunning(): boolean {
    return this.ended === undefined;
  }

  /** Asks the worker to stop at the next step boundary; kills it if it does not within a few seconds. */
  cancel(): void {
    if (this.ended !== undefined || this.cancelTimer !== undefined) return;
    this.child.send({ kind: 'cancel' });
    this.cancelTimer = setTimeout(() => {
      this.child.kill('SIGKILL');
    }, cancelGraceMs);
  }

  private handle(message: WorkerToHostMessage): void {
    switch (message.kind) {
      case 'ready':
        this.child.send(this.start);
        break;
      case 'backend':
        this.backendEmitter.fire(message.backend);
        break;
      case 'event':
        if (message.event.type === 'log' || message.event.type === 'phase')
          this.lastMessage = describe(message.event);
        this.eventEmitter.fire(message.event);
        break;
      case 'completed':
        this.finish({ kind: 'completed' });
        break;
      case 'cancelled':
        this.finish({ kind: 'cancelled' });
        break;
      case 'failed':
        this.finish({ kind: 'failed', message: message.message, detail: message.detail });
        break;
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.ended !== undefined) return;
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code ?? 'unknown'}`;
    const oom = this.stderrTail.some((l) => /heap out of memory|Allocation failed/i.test(l));
    const hint = oom
      ? ' It ran out of memory: raise "l2r.worker.memoryLimitMb" or lower the batch size, then resume.'
      : ' Completed work is kept in the run folder; resume to continue.';
    const last = this.lastMessage !== '' ? ` Last message: ${this.lastMessage}.` : '';
    this.finish({
      kind: 'failed',
      message: `The training worker ${how}.${last}${hint}`,
      detail: this.stderrTail.join('\n'),
    });
  }

  private finish(end: SessionEnd): void {
    if (this.ended !== undefined) return;
    this.ended = end;
    if (this.cancelTimer !== undefined) clearTimeout(this.cancelTimer);
    this.resolveEnd(end);
  }

  dispose(): void {
    if (this.ended === undefined) {
      this.child.kill();
      this.finish({ kind: 'cancelled' });
    }
    this.eventEmitter.dispose();
    this.backendEmitter.dispose();
  }
}

function describe(event: RunEvent): string {
  if (event.type === 'log') return event.message;
  if (event.type === 'phase') {
    const task = event.task !== undefined ? ` on ${event.task}` : '';
    return `${event.phase} (${event.method})${task}`;
  }
  return event.type;
}
