import type { AggregateRow, MetricsFile } from '../../src/protocol/runFolder';
import { rehearsalFreeVerdict } from '../../src/protocol/verdict';
import type { HostToWebviewMessage } from '../../src/protocol/webview';
import { barsSvg, exportButtons, heatmapSvg } from '../shared/chartExport';
import { button } from '../shared/controls';
import { el, Host, useStyles } from '../shared/host';
import css from './results.css';

const host = new Host();
const app = document.getElementById('app') as HTMLElement;
useStyles(css);

interface Run {
  readonly runDir: string;
  readonly metrics: MetricsFile;
}

const order = [
  'l2r-wavg',
  'l2r-merge',
  'softmax-wavg',
  'softmax-merge',
  'epi',
  'lda',
  'klda',
  'ncm',
  'mocl',
  'dam',
  'oracle',
  'lower',
  'upper',
];
const rank = (m: string): number => (order.indexOf(m) < 0 ? order.length : order.indexOf(m));

function cell(a: AggregateRow | undefined): string {
  if (a === undefined) return '–';
  return a.n > 1 ? `${a.accuracyMean.toFixed(1)} ± ${a.accuracyStd.toFixed(1)}` : a.accuracyMean.toFixed(1);
}

function comparisonRows(metrics: MetricsFile): string[][] {
  const find = (m: string, s: 'cil' | 'til') =>
    metrics.aggregate.find((a) => a.method === m && a.setting === s && a.memory === undefined);
  const methods = [
    ...new Set(metrics.aggregate.filter((a) => a.memory === undefined).map((a) => a.method)),
  ].sort((a, b) => rank(a) - rank(b));
  return methods.map((m) => {
    const cil = find(m, 'cil');
    return [
      m,
      cell(cil),
      cell(find(m, 'til')),
      cil?.forgettingMean?.toFixed(1) ?? '–',
      cil?.bwtMean?.toFixed(1) ?? '–',
    ];
  });
}

const header = ['Method', 'CIL accuracy %', 'TIL accuracy %', 'CIL forgetting', 'CIL BWT'];

function table(
  caption: string,
  head: readonly string[],
  rows: readonly (readonly string[])[],
  className = '',
): HTMLTableElement {
  return el(
    'table',
    { class: className, 'aria-label': caption },
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
    el(
      'tbody',
      {},
      ...rows.map((r) =>
        el('tr', {}, ...r.map((c, i) => (i === 0 ? el('th', { scope: 'row' }, c) : el('td', {}, c)))),
      ),
    ),
  );
}

function markdown(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function csv(metrics: MetricsFile): string {
  const lines = ['method,setting,memory,n,accuracy_mean,accuracy_std,macro_f1_mean,forgetting_mean,bwt_mean'];
  for (const a of metrics.aggregate)
    lines.push(
      [
        a.method,
        a.setting,
        a.memory ?? '',
        a.n,
        a.accuracyMean.toFixed(2),
        a.accuracyStd.toFixed(2),
        a.macroF1Mean.toFixed(2),
        a.forgettingMean?.toFixed(2) ?? '',
        a.bwtMean?.toFixed(2) ?? '',
      ].join(','),
    );
  return `${lines.join('\n')}\n`;
}

/** Per-task accuracy as horizontal bars (L2R-wavg TIL beside the oracle), values printed too. */
function perTaskBars(metrics: MetricsFile): HTMLElement {
  const meanPerTask = (method: string, setting: 'cil' | 'til'): Map<string, number> => {
    const sums = new Map<string, number[]>();
    for (const r of metrics.rows.filter(
      (x) => x.method === method && x.setting === setting && x.memory === undefined,
    )) {
      for (const [task, acc] of Object.entries(r.perTask)) sums.set(task, [...(sums.get(task) ?? []), acc]);
    }
    return new Map([...sums].map(([t, v]) => [t, v.reduce((a, b) => a + b, 0) / v.length]));
  };
  const series: [string, Map<string, number>][] = [
    ['L2R-wavg TIL', meanPerTask('l2r-wavg', 'til')],
    ['L2R-wavg CIL', meanPerTask('l2r-wavg', 'cil')],
    ['oracle TIL', meanPerTask('oracle', 'til')],
  ];
  const tasks = [...new Set(series.flatMap(([, m]) => [...m.keys()]))];
  const title = 'Per-task accuracy (%)';
  const section = el(
    'section',
    { class: 'bars', 'aria-label': 'Per-task accuracy' },
    el(
      'h3',
      {},
      title,
      exportButtons(host, `${metrics.runId}-per-task`, 'per-task accuracy', () =>
        barsSvg(
          `${metrics.stream} · ${title}`,
          tasks,
          series.map(([name, values]) => ({ name, values: tasks.map((t) => values.get(t)) })),
        ),
      ),
    ),
  );
  for (const task of tasks) {
    const group = el(
      'div',
      { class: 'bar-group', role: 'group', 'aria-label': task },
      el('div', { class: 'bar-task' }, task),
    );
    series.forEach(([name, values], i) => {
      const v = values.get(task);
      if (v === undefined) return;
      group.append(
        el(
          'div',
          { class: 'bar-row' },
          el('span', { class: 'bar-name' }, name),
          el('span', {
            class: `bar bar-${i}`,
            style: `width: ${v.toFixed(1)}%`,
            role: 'img',
            'aria-label': `${name}: ${v.toFixed(1)}%`,
          }),
          el('span', { class: 'bar-value' }, v.toFixed(1)),
        ),
      );
    });
    section.append(group);
  }
  return section;
}

/** Accuracy matrices as heatmaps: R[i][j], accuracy on task j after learning task i. */
function matrices(metrics: MetricsFile): HTMLElement[] {
  return metrics.matrices.slice(0, 4).map((m) => {
    const t = table(
      `Accuracy matrix, ${m.method} ${m.setting.toUpperCase()} (seed ${m.seed}, order ${m.order}): row = after learning task, column = tested task`,
      ['after \\ on', ...m.tasks],
      m.r.map((row, i) => [m.tasks[i] ?? '', ...row.map((v, j) => (j <= i ? v.toFixed(1) : '·'))]),
      'heatmap',
    );
    // Cell colour intensity follows the accuracy (the number stays printed for every reader).
    t.querySelectorAll('td').forEach((td) => {
      const v = Number.parseFloat(td.textContent ?? '');
      if (Number.isFinite(v)) td.style.setProperty('--v', String(Math.round(v * 0.6)));
    });
    const name = `${metrics.runId}-matrix-${m.method}-${m.setting}-s${m.seed}-${m.order}`;
    const buttons = exportButtons(host, name, `the ${m.method} ${m.setting.toUpperCase()} matrix`, () =>
      heatmapSvg(
        `Accuracy matrix, ${m.method} ${m.setting.toUpperCase()} (seed ${m.seed}, order ${m.order}): row = after task, column = tested task`,
        m.tasks,
        m.tasks,
        m.r.map((row, i) => row.map((v, j) => (j <= i ? v : NaN))),
        100,
      ),
    );
    return el('div', { class: 'chart-block' }, buttons, t);
  });
}

/** The best rehearsal-free baseline beside L2R-wavg (src/protocol/verdict.ts), when the run has one. */
function verdictLine(metrics: MetricsFile): HTMLElement[] {
  const verdict = rehearsalFreeVerdict(metrics.aggregate);
  return verdict === undefined ? [] : [el('p', { class: 'verdict', role: 'note' }, verdict.line)];
}

function render(runs: readonly Run[]): void {
  app.replaceChildren();
  for (const { runDir, metrics } of runs) {
    const rows = comparisonRows(metrics);
    const seeds = new Set(metrics.rows.map((r) => r.seed)).size;
    const orders = new Set(metrics.rows.map((r) => r.order)).size;
    const copy = button('Copy as Markdown', () => host.post('copyText', { text: markdown(header, rows) }));
    const exportCsv = button(
      'Export CSV',
      () =>
        host.post('exportFile', {
          suggestedName: `${metrics.runId}-results.csv`,
          content: csv(metrics),
          encoding: 'utf8',
        }),
      { secondary: true },
    );
    app.append(
      el(
        'section',
        { class: 'run', 'data-run': runDir },
        el('h2', {}, `${metrics.stream} · ${metrics.runId}`),
        el(
          'p',
          { class: 'meta' },
          `${seeds} seed(s) × ${orders} order(s) · backend ${metrics.backend} · ${metrics.seconds.toFixed(0)} s`,
        ),
        el('div', { class: 'actions' }, copy, exportCsv),
        table('Method comparison (mean ± std over seeds and orders)', header, rows, 'comparison'),
        ...verdictLine(metrics),
        perTaskBars(metrics),
        ...matrices(metrics),
      ),
    );
  }
  if (runs.length > 1) {
    const methods = [...new Set(runs.flatMap((r) => r.metrics.aggregate.map((a) => a.method)))].sort(
      (a, b) => rank(a) - rank(b),
    );
    const rows = methods.map((m) => [
      m,
      ...runs.map((r) =>
        cell(
          r.metrics.aggregate.find((a) => a.method === m && a.setting === 'cil' && a.memory === undefined),
        ),
      ),
    ]);
    app.prepend(
      table(
        'Runs side by side: CIL accuracy %',
        ['Method', ...runs.map((r) => r.metrics.runId)],
        rows,
        'comparison side-by-side',
      ),
    );
  }
}

function showError(message: string): void {
  app.replaceChildren(el('div', { class: 'error', role: 'alert' }, message));
}

function handle(message: HostToWebviewMessage): void {
  if (message.type === 'error') {
    showError(message.payload.message);
    return;
  }
  if (message.type !== 'results') return;
  const runs: Run[] = [];
  for (const r of message.payload.runs) {
    try {
      const metrics = JSON.parse(r.metrics) as MetricsFile;
      if (!Array.isArray(metrics.aggregate) || !Array.isArray(metrics.rows))
        throw new Error('missing fields');
      runs.push({ runDir: r.runDir, metrics });
    } catch {
      showError(
        `The results of ${r.runDir} are unreadable (metrics.json is corrupt). Run "l2r run --resume" on that folder or start a new run.`,
      );
      return;
    }
  }
  host.state = { runDirs: runs.map((r) => r.runDir), message };
  render(runs);
}

host.onMessage(handle);
const saved = host.state as { message?: HostToWebviewMessage } | undefined;
if (saved?.message !== undefined) handle(saved.message);
host.post('ready', { panel: 'results' });
