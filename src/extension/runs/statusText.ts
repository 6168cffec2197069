import type { LiveRunState } from './liveRunState';

/** e.g. "L2R spam 2/5 · adapter 1/3 · ETA 1m 20s". */
export function statusText(state: LiveRunState): string {
  const parts = [`L2R ${state.task ?? state.stream}`];
  if (state.taskIndex !== undefined && state.taskCount !== undefined)
    parts[0] += ` ${state.taskIndex + 1}/${state.taskCount}`;
  if (state.phase !== undefined) {
    parts.push(
      state.epoch !== undefined && state.epochs !== undefined
        ? `${state.phase} ${state.epoch}/${state.epochs}`
        : state.phase,
    );
  }
  if (state.etaSeconds !== undefined && Number.isFinite(state.etaSeconds))
    parts.push(`ETA ${formatDuration(state.etaSeconds)}`);
  return parts.join(' · ');
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
