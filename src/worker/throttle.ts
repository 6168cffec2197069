import type { RunEvent } from '../protocol/events';

/** Lets every event through except `progress`, which passes at most once per interval. */
export class ProgressThrottle {
  private last = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  admit(event: RunEvent): boolean {
    if (event.type !== 'progress') return true;
    const t = this.now();
    if (t - this.last < this.intervalMs) return false;
    this.last = t;
    return true;
  }
}
