import { join } from 'node:path';
import type { RunEvent } from '../../protocol/events';
import { RUN_FILES } from '../../protocol/runFolder';
import { appendJsonLine } from './files';

/**
 * Emits run events: every event goes to the listener (the worker, which throttles progress), and
 * every event but `progress` is appended to events.jsonl, in order.
 */
export class EventSink {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly runDir: string,
    private readonly listener: (event: RunEvent) => void,
  ) {}

  emit(event: RunEvent): void {
    this.listener(event);
    if (event.type === 'progress') return;
    this.chain = this.chain.then(() => appendJsonLine(join(this.runDir, RUN_FILES.events), event));
  }

  /** Resolves when every event emitted so far is on disk. */
  flush(): Promise<void> {
    return this.chain;
  }
}
