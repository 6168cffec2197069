import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css';
import type { EpochEndEvent, PhaseEvent, RunEvent, RunStartedEvent } from '../../src/protocol/events';
import type { HostToWebviewMessage } from '../../src/protocol/webview';
import { button } from '../shared/controls';
import { el, Host, useStyles } from '../shared/host';
import css from './progress.css';

const host = new Host();
const app = document.getElementById('app') as HTMLElement;
useStyles(uPlotCss, css);

/** At most this many points per curve: long runs are decimated (every k-th point kept), not truncated. */
export const MAX_POINTS = 2000;

function decimate<T>(points: readonly T[]): T[] {
  if (points.length <= MAX_POINTS) return [...points];
  const step = Math.ceil(points.length / MAX_POINTS);
  return points.filter((_, i) => i % step === 0 || i === points.length - 1);
}

function parse(lines: string): RunEvent[] {
  const out: RunEvent[] = [];
  for (const line of lines.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as RunEvent);
    } catch {
      // A line being written while we read: the next update has it whole.
    }
  }
  return out;
}

let chart: uPlot | undefined;

function render(runDir: string, events: readonly RunEvent[], status: string): void {
  const started = events.find((e): e is RunStartedEvent => e.type === 'run-started');
  const phases = events.filter((e): e is PhaseEvent => e.type === 'phase');
  const epochs = events.filter((e): e is EpochEndEvent => e.type === 'epoch-end');
  const last = phases[phases.length - 1];
  const lastEpoch = epochs[epochs.length - 1];
  const tasks = started?.tasks ?? [];
  const doneTasks = new Set(
    epochs
      .filter((e) => e.phase === 'adapter' && e.epoch === e.epochs)
      .map((e) => `${e.seed}/${e.order}/${e.task ?? ''}`),
  );
  app.replaceChildren();
  const stop = button('Stop', () => host.post('stopRun', { runDir }), { disabled: status !== 'running' });
  const resume = button('Resume', () => host.post('resumeRun', { runDir }), {
    disabled: status === 'running',
    secondary: true,
  });
  const percent =
    lastEpoch !== undefined && lastEpoch.totalUnits > 0
      ? Math.round((100 * lastEpoch.unitsDone) / lastEpoch.totalUnits)
      : 0;
  app.append(
    el('h2', {}, `${started?.stream ?? 'run'} · ${status}`),
    el(
      'p',
      { class: 'meta' },
      `backend ${started?.backend ?? '?'} · ${percent}% of ${started?.totalUnits ?? '?'} units · ${lastEpoch !== undefined ? `${Math.round(lastEpoch.examplesPerSecond)} examples/s` : 'starting'}`,
    ),
    el('div', { class: 'actions' }, stop, resume),
    el(
      'div',
      {
        class: 'bar',
        role: 'progressbar',
        'aria-valuenow': String(percent),
        'aria-valuemin': '0',
        'aria-valuemax': '100',
        'aria-label': 'Run progress',
      },
      el('span', { style: `width: ${percent}%` }),
    ),
    el(
      'ol',
      { class: 'timeline', 'aria-label': 'Task stream' },
      ...tasks.map((task, i) => {
        const current = last?.task === task;
        const done = [...doneTasks].some((k) => k.endsWith(`/${task}`));
        return el(
          'li',
          { class: current ? 'current' : done ? 'done' : 'pending' },
          `${i + 1}. ${task}${current && last !== undefined ? ` — ${last.phase}` : ''}`,
        );
      }),
    ),
    el('h3', {}, 'Loss per epoch'),
  );
  const holder = el('div', {
    class: 'chart',
    role: 'img',
    'aria-label': 'Training loss per epoch for each adapter and router',
  });
  const exportPng = button(
    'Export chart as PNG',
    () => {
      const canvas = holder.querySelector('canvas');
      if (canvas === null) return;
      host.post('exportFile', {
        suggestedName: `${started?.runId ?? 'run'}-loss.png`,
        content: canvas.toDataURL('image/png'),
        encoding: 'dataUrl',
      });
    },
    { secondary: true },
  );
  app.append(holder, el('div', { class: 'actions' }, exportPng));
  // One series per phase/task, on a shared x axis: the epoch's position in the run.
  const keys = [...new Set(epochs.map((e) => `${e.phase} ${e.task ?? ''}`.trim()))];
  const points = decimate(epochs);
  const xs = points.map((_, i) => i + 1);
  const series = keys.map((k) =>
    points.map((e) => (`${e.phase} ${e.task ?? ''}`.trim() === k ? e.loss : null)),
  );
  const palette = [
    '--vscode-charts-blue',
    '--vscode-charts-orange',
    '--vscode-charts-green',
    '--vscode-charts-purple',
    '--vscode-charts-red',
    '--vscode-charts-yellow',
  ];
  const colour = (i: number): string =>
    getComputedStyle(document.documentElement)
      .getPropertyValue(palette[i % palette.length] ?? '')
      .trim() || '#888';
  chart?.destroy();
  chart = new uPlot(
    {
      width: Math.max(320, Math.min(900, app.clientWidth - 20)),
      height: 260,
      scales: { x: { time: false } },
      axes: [
        { stroke: 'currentColor', label: 'epoch (in run order)' },
        { stroke: 'currentColor', label: 'loss' },
      ],
      series: [
        {},
        ...keys.map((k, i) => ({
          label: k,
          stroke: colour(i),
          width: 2,
          spanGaps: false,
          points: { show: true, size: 4 },
        })),
      ],
    },
    [xs, ...series],
    holder,
  );
  const table = el(
    'table',
    { class: 'epochs', 'aria-label': 'Last epochs' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...['seed', 'order', 'phase', 'task', 'epoch', 'loss', 'train acc %', 'ex/s'].map((h) =>
          el('th', { scope: 'col' }, h),
        ),
      ),
    ),
    el(
      'tbody',
      {},
      ...epochs
        .slice(-8)
        .map((e) =>
          el(
            'tr',
            {},
            ...[
              String(e.seed),
              e.order,
              e.phase,
              e.task ?? '',
              `${e.epoch}/${e.epochs}`,
              e.loss.toFixed(4),
              e.trainAccuracy.toFixed(1),
              String(Math.round(e.examplesPerSecond)),
            ].map((c) => el('td', {}, c)),
          ),
        ),
    ),
  );
  app.append(table);
}

/** The log so far: the host sends it whole once, then only the lines appended since. */
let log: { runDir: string; events: RunEvent[]; end: number } | undefined;

function handle(message: HostToWebviewMessage): void {
  if (message.type === 'error') {
    app.replaceChildren(el('div', { class: 'error', role: 'alert' }, message.payload.message));
    return;
  }
  if (message.type !== 'events') return;
  const { runDir, lines, from, to, status } = message.payload;
  const appended = parse(lines);
  if (from === 0 || log?.runDir !== runDir) log = { runDir, events: appended, end: to };
  else if (from === log.end) log = { runDir, events: [...log.events, ...appended], end: to };
  else {
    // A gap (a message was missed): ask for the whole log again.
    log = undefined;
    host.post('ready', { panel: 'progress' });
    return;
  }
  if (log.events.length === 0) {
    app.replaceChildren(
      el(
        'div',
        { class: 'error', role: 'alert' },
        `The run's events.jsonl is empty or unreadable (${runDir}).`,
      ),
    );
    return;
  }
  // Only the run folder is kept across reloads: the host sends the log again when the page asks.
  host.state = { runDir };
  render(runDir, log.events, status);
}

host.onMessage(handle);
host.post('ready', { panel: 'progress' });
