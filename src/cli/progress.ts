import type { RunEvent } from '../protocol/events';

/**
 * Terminal progress: on a TTY one line redrawn in place (a bar, the task, phase, epoch, loss, ETA);
 * otherwise plain lines, one per finished epoch, so logs stay readable.
 */
export class ProgressPrinter {
  private lastLineLength = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  handle(event: RunEvent): void {
    if (event.type === 'progress' && this.tty) {
      const fraction =
        event.totalUnits > 0
          ? Math.min(1, (event.unitsDone + event.step / event.steps) / event.totalUnits)
          : 0;
      const width = 24;
      const filled = Math.round(fraction * width);
      const eta = event.etaSeconds !== undefined ? ` ETA ${Math.round(event.etaSeconds)}s` : '';
      this.redraw(
        `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${event.phase} ${event.task ?? ''} epoch ${event.epoch}/${event.epochs} loss ${event.loss.toFixed(3)}${eta}`,
      );
    } else if (event.type === 'epoch-end') {
      this.line(
        `seed ${event.seed} ${event.order} | ${event.phase.padEnd(7)} ${(event.task ?? '').padEnd(10)} epoch ${event.epoch}/${event.epochs}  loss ${event.loss.toFixed(4)}  train acc ${event.trainAccuracy.toFixed(1)}%  ${Math.round(event.examplesPerSecond)} ex/s`,
      );
    } else if (event.type === 'memory-updated') {
      this.line(
        `seed ${event.seed} ${event.order} | memory  ${event.task.padEnd(10)} kept ${event.size} of budget ${event.budget} (total ${event.total})`,
      );
    } else if (event.type === 'log') this.line(`${event.level}: ${event.message}`);
  }

  private redraw(text: string): void {
    const padded = text.padEnd(this.lastLineLength);
    this.out.write(`\r${padded}`);
    this.lastLineLength = text.length;
  }

  line(text: string): void {
    if (this.tty && this.lastLineLength > 0) {
      this.out.write(`\r${' '.repeat(this.lastLineLength)}\r`);
      this.lastLineLength = 0;
    }
    this.out.write(`${text}\n`);
  }
}
