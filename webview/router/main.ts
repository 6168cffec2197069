import type { RoutingFile, RoutingTable } from '../../src/protocol/runFolder';
import type { HostToWebviewMessage } from '../../src/protocol/webview';
import { exportButtons, heatmapSvg } from '../shared/chartExport';
import { select } from '../shared/controls';
import { el, Host, useStyles } from '../shared/host';
import css from './router.css';

const host = new Host();
const app = document.getElementById('app') as HTMLElement;
useStyles(css);

/** A matrix as a table whose cells are tinted by value (the number stays printed for every reader). */
function heatmap(
  caption: string,
  rows: readonly string[],
  cols: readonly string[],
  values: readonly (readonly number[])[],
  format: (v: number) => string,
  max: number,
  corner = 'true task \\ adapter',
): HTMLElement {
  const table = el(
    'table',
    { class: 'heatmap', 'aria-label': caption },
    el('caption', {}, caption),
    el(
      'thead',
      {},
      el('tr', {}, el('th', { scope: 'col' }, corner), ...cols.map((c) => el('th', { scope: 'col' }, c))),
    ),
    el(
      'tbody',
      {},
      ...rows.map((r, i) =>
        el(
          'tr',
          {},
          el('th', { scope: 'row' }, r),
          ...(values[i] ?? []).map((v, j) => {
            const td = el('td', { class: i === j ? 'diagonal' : '' }, format(v));
            td.style.setProperty('--v', String(Math.round((100 * v) / (max || 1))));
            return td;
          }),
        ),
      ),
    ),
  );
  const name = caption
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  const buttons = exportButtons(host, name, caption, () =>
    heatmapSvg(caption, rows, cols, values, max, format),
  );
  return el('div', { class: 'chart-block' }, buttons, table);
}

/** One layer of a table: the summary line and its two heatmaps. */
function layerView(table: RoutingTable, layer: number): Node[] {
  const scores = table.meanScores[layer] ?? [];
  const confusion = table.confusion[layer] ?? [];
  const rowTotals = confusion.map((row) => row.reduce((a, b) => a + b, 0) || 1);
  const correct = confusion.reduce((sum, row, i) => sum + (row[i] ?? 0), 0);
  const all = rowTotals.reduce((a, b) => a + b, 0);
  return [
    el(
      'p',
      { class: 'meta' },
      `Layer ${layer + 1}: the dominant adapter is the true task's for ${((100 * correct) / (all || 1)).toFixed(1)}% of test examples; ${(table.meanActive[layer] ?? 0).toFixed(2)} adapters active on average (score ≥ 0.5).`,
    ),
    heatmap(
      `Mean routing score, layer ${layer + 1} (rows: true task, columns: adapter)`,
      table.adapters,
      table.adapters,
      scores,
      (v) => v.toFixed(2),
      1,
    ),
    heatmap(
      `Routing confusion, layer ${layer + 1} (% of each true task's examples by dominant adapter)`,
      table.adapters,
      table.adapters,
      confusion.map((row, i) => row.map((v) => v / (rowTotals[i] ?? 1))),
      (v) => `${(100 * v).toFixed(0)}%`,
      1,
    ),
  ];
}

/** One traced example: its text, predictions and scores per layer. */
function traceView(table: RoutingTable, example: number): Node {
  const traced = table.examples[example];
  if (traced === undefined) return el('p', {}, 'No traced examples in this table.');
  return el(
    'div',
    { class: 'trace' },
    el(
      'p',
      {},
      `“${traced.text}” — ${traced.task}/${traced.label}; predicted ${traced.predictedCil} (CIL), ${traced.predictedTil} (TIL)`,
    ),
    heatmap(
      'Scores per layer (rows: layer, columns: adapter)',
      traced.scores.map((_, l) => `layer ${l + 1}`),
      table.adapters,
      traced.scores,
      (v) => v.toFixed(2),
      1,
      'layer \\ adapter',
    ),
  );
}

/**
 * The routing of a run. The drop-downs stay in place (and keep focus) while the parts they choose
 * are redrawn: a new table redraws everything below it, a layer its heatmaps, an example its trace.
 */
function show(file: RoutingFile): void {
  const layerSlot = el('div', { class: 'layer' });
  const traceSlot = el('div', { class: 'trace-slot' });
  const layerControl = el('span', {});
  const exampleControl = el('div', {});
  const showTable = (selected: number): void => {
    const table = file.tables[selected];
    if (table === undefined) return;
    layerControl.replaceChildren(
      select(
        'Layer',
        Array.from({ length: table.layers }, (_, l) => ({ value: String(l), label: `layer ${l + 1}` })),
        '0',
        (v) => layerSlot.replaceChildren(...layerView(table, Number(v))),
      ),
    );
    exampleControl.replaceChildren(
      select(
        'Example to trace',
        table.examples.map((e, i) => ({
          value: String(i),
          label: `${e.task} · ${e.label} · ${e.text.slice(0, 40)}`,
        })),
        '0',
        (v) => traceSlot.replaceChildren(traceView(table, Number(v))),
      ),
    );
    layerSlot.replaceChildren(...layerView(table, 0));
    traceSlot.replaceChildren(traceView(table, 0));
  };
  const choose = select(
    'Method, seed and order',
    file.tables.map((t, i) => ({
      value: String(i),
      label: `${t.method} · seed ${t.seed} · ${t.order}${t.memory !== undefined ? ` · memory ${t.memory}` : ''}`,
    })),
    '0',
    (v) => showTable(Number(v)),
  );
  app.replaceChildren(
    el('h2', {}, 'Router composition'),
    el('div', { class: 'controls' }, choose, layerControl),
    layerSlot,
    el('h3', {}, 'Per-example trace'),
    exampleControl,
    traceSlot,
  );
  showTable(0);
}

host.onMessage((message: HostToWebviewMessage) => {
  if (message.type === 'error')
    app.replaceChildren(el('div', { class: 'error', role: 'alert' }, message.payload.message));
  else if (message.type === 'routing') {
    let file: RoutingFile;
    try {
      file = JSON.parse(message.payload.json) as RoutingFile;
      if (!Array.isArray(file.tables) || file.tables.length === 0) throw new Error('no tables');
    } catch {
      app.replaceChildren(
        el(
          'div',
          { class: 'error', role: 'alert' },
          `The routing of ${message.payload.runDir} is empty or unreadable (routing.json). Finish or resume the run.`,
        ),
      );
      return;
    }
    host.state = { runDir: message.payload.runDir };
    show(file);
  }
});
host.post('ready', { panel: 'router' });
