import type { Phase, RunCoordinates } from '../../protocol/events';
import type { Tf } from '../tf';
import type { TrainHooks } from '../train/hooks';
import type { UnitRunner } from './baselines';
import type { Checkpoints } from './checkpoint';
import type { EventSink } from './events';

/** Tracks schedulable units for progress and ETA. */
export class ProgressClock {
  done = 0;
  private readonly started = performance.now();
  constructor(public total: number) {}

  tick(): void {
    this.done += 1;
    if (this.done > this.total) this.total = this.done;
  }

  /** Seconds left, from the pace so far; `fraction` is the part of the current unit already done. */
  eta(fraction = 0): number | undefined {
    const progressed = this.done + fraction;
    if (progressed <= 0) return undefined;
    const elapsed = (performance.now() - this.started) / 1000;
    return (elapsed / progressed) * Math.max(0, this.total - progressed);
  }
}

/**
 * The training hooks of one (seed, order): per step a `progress` event, per epoch an `epoch-end`
 * event, a tick of the progress clock and the epoch's speed pushed to `speed`.
 */
export function progressHooks(
  sink: EventSink,
  progress: ProgressClock,
  coords: RunCoordinates,
  shouldStop: () => boolean,
): (phase: Phase, method: string, task: string | undefined, speed: number[]) => TrainHooks {
  return (phase: Phase, method: string, task: string | undefined, speed: number[]) => ({
    shouldStop,
    onStep: (s) => {
      sink.emit({
        type: 'progress',
        time: Date.now(),
        ...coords,
        phase,
        method,
        task,
        ...s,
        examplesPerSecond: 0,
        unitsDone: progress.done,
        totalUnits: progress.total,
        etaSeconds: progress.eta(s.step / s.steps),
      });
    },
    onEpoch: (e) => {
      progress.tick();
      speed.push(e.examplesPerSecond);
      sink.emit({
        type: 'epoch-end',
        time: Date.now(),
        ...coords,
        phase,
        method,
        task,
        epoch: e.epoch,
        epochs: e.epochs,
        loss: e.loss,
        trainAccuracy: 100 * e.trainAccuracy,
        examplesPerSecond: e.examplesPerSecond,
        unitsDone: progress.done,
        totalUnits: progress.total,
      });
    },
  });
}

/**
 * One checkpointed unit of work: restored when already complete, otherwise trained with epoch
 * checkpoints (resuming from the last one on disk) and then recorded as complete. Restored and
 * skipped epochs count as done for progress.
 */
export function unitRunner(tf: Tf, checkpoints: Checkpoints, progress: ProgressClock): UnitRunner {
  return async (unit, vars, epochs, train) => {
    if (checkpoints.has(unit)) {
      await checkpoints.restore(tf, unit, vars);
      for (let e = 0; e < epochs; e++) progress.tick();
      return;
    }
    await train({
      resume: async (optimizer) => {
        const start = await checkpoints.resumeEpoch(tf, unit, vars, optimizer);
        for (let e = 1; e < start; e++) progress.tick();
        return start;
      },
      checkpoint: (epoch, optimizer) => checkpoints.saveEpoch(unit, epoch, vars, optimizer),
    });
    await checkpoints.complete(unit, vars);
  };
}
