import type { MemoryUpdatedEvent, RunEvent } from '../../src/protocol/events';
import type { MemoryRecord } from '../../src/protocol/runFolder';
import type { HostToWebviewMessage } from '../../src/protocol/webview';
import type { Choice } from '../shared/controls';
import { searchField, select } from '../shared/controls';
import { el, Host, useStyles } from '../shared/host';
import css from './memory.css';

const host = new Host();
const app = document.getElementById('app') as HTMLElement;
useStyles(css);

const ROW_HEIGHT = 24;

function lines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as T];
      } catch {
        return [];
      }
    });
}

interface Filters {
  task: string;
  label: string;
  query: string;
}

/** A table that renders only the rows in view, so 20,000 examples scroll as fast as 20. */
function virtualTable(rows: readonly MemoryRecord[], open: (r: MemoryRecord) => void): HTMLElement {
  const viewport = el('div', {
    class: 'viewport',
    role: 'grid',
    'aria-rowcount': String(rows.length),
    tabindex: '0',
  });
  const spacer = el('div', { class: 'spacer', style: `height: ${rows.length * ROW_HEIGHT}px` });
  const body = el('div', { class: 'rows' });
  spacer.append(body);
  viewport.append(spacer);
  const draw = (): void => {
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - 5);
    const count = Math.ceil((viewport.clientHeight || 480) / ROW_HEIGHT) + 10;
    body.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    body.replaceChildren(
      ...rows.slice(first, first + count).map((r, i) => {
        const row = el(
          'div',
          { class: 'row', role: 'row', tabindex: '0', 'aria-rowindex': String(first + i + 1) },
          el('span', { role: 'gridcell' }, `${r.seed}/${r.order}`),
          el('span', { role: 'gridcell' }, r.task),
          el('span', { role: 'gridcell' }, r.label),
          el('span', { role: 'gridcell', class: 'text', title: r.text }, r.text),
        );
        row.addEventListener('click', () => open(r));
        row.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            open(r);
          }
        });
        return row;
      }),
    );
  };
  viewport.addEventListener('scroll', () => requestAnimationFrame(draw));
  requestAnimationFrame(draw);
  draw();
  return viewport;
}

/** Adapter names of one (seed, order) in stream order: the tasks as their examples were stored. */
function adaptersOf(records: readonly MemoryRecord[], r: MemoryRecord): string[] {
  const names: string[] = [];
  for (const x of records)
    if (
      x.seed === r.seed &&
      x.order === r.order &&
      x.memory === r.memory &&
      !names.includes(x.storedAfterTask)
    )
      names.push(x.storedAfterTask);
  return names;
}

/** How the final router scores one memory example, per layer and adapter: the detail section's content. */
function routingDetail(records: readonly MemoryRecord[], r: MemoryRecord): Node[] {
  const heading = el(
    'h3',
    {},
    `Routing of “${r.text.slice(0, 80)}${r.text.length > 80 ? '…' : ''}” (${r.task}, ${r.label})`,
  );
  if (r.scores === undefined || r.scores.length === 0)
    return [
      heading,
      el('p', { class: 'meta' }, 'No routing scores: the run stopped before its router was trained.'),
    ];
  const adapters = adaptersOf(records, r);
  const table = el(
    'table',
    { class: 'scores' },
    el(
      'caption',
      {},
      'Router score per layer (rows) and adapter (columns); the highest per layer is outlined',
    ),
    el(
      'thead',
      {},
      el('tr', {}, el('th', {}, 'layer'), ...adapters.map((a) => el('th', { scope: 'col' }, a))),
    ),
    el(
      'tbody',
      {},
      ...r.scores.map((layer, l) => {
        const best = layer.indexOf(Math.max(...layer));
        return el(
          'tr',
          {},
          el('th', { scope: 'row' }, String(l + 1)),
          ...layer.map((v, a) => {
            const td = el(
              'td',
              { class: a === best ? 'best' : '', title: `${adapters[a] ?? a}: ${v.toFixed(3)}` },
              v.toFixed(2),
            );
            td.style.setProperty('--v', String(Math.round(v * 100)));
            return td;
          }),
        );
      }),
    ),
  );
  return [heading, table];
}

/** The memory of a run: filters and totals stay put while the table below follows the filters. */
function show(records: readonly MemoryRecord[], events: readonly RunEvent[]): void {
  const updates = events.filter((e): e is MemoryUpdatedEvent => e.type === 'memory-updated');
  const tasks = [...new Set(records.map((r) => r.task))];
  let filters: Filters = { task: '', label: '', query: '' };
  const count = el('span', { class: 'count', 'aria-live': 'polite' });
  const tableSlot = el('div', { class: 'table-slot' });
  const detail = el(
    'section',
    { class: 'detail', 'aria-live': 'polite' },
    el('p', { class: 'meta' }, 'Select an example (click or Enter) to see how the router scores it.'),
  );
  const redraw = (): void => {
    const query = filters.query.toLowerCase();
    const shown = records.filter(
      (r) =>
        (filters.task === '' || r.task === filters.task) &&
        (filters.label === '' || r.label === filters.label) &&
        (query === '' || r.text.toLowerCase().includes(query)),
    );
    count.textContent = `${shown.length} shown`;
    tableSlot.replaceChildren(
      virtualTable(shown, (r) => detail.replaceChildren(...routingDetail(records, r))),
    );
  };
  const labelChoices = (): Choice[] => [
    { value: '', label: 'All labels' },
    ...[...new Set(records.filter((r) => filters.task === '' || r.task === filters.task).map((r) => r.label))]
      .sort()
      .map((v) => ({ value: v, label: v })),
  ];
  const labelSelect = (): HTMLElement =>
    select('All labels', labelChoices(), filters.label, (label) => {
      filters = { ...filters, label };
      redraw();
    });
  let labels = labelSelect();
  const taskSelect = select(
    'All tasks',
    [{ value: '', label: 'All tasks' }, ...tasks.map((t) => ({ value: t, label: t }))],
    '',
    (task) => {
      // A label list narrowed to the chosen task; the label filter starts over.
      filters = { ...filters, task, label: '' };
      const next = labelSelect();
      labels.replaceWith(next);
      labels = next;
      redraw();
    },
  );
  const search = searchField('Search memory text', 'Search text', (query) => {
    filters = { ...filters, query };
    redraw();
  });
  const budgetOf = (task: string): string => {
    const u = updates.filter((e) => e.task === task);
    const last = u[u.length - 1];
    return last !== undefined ? `${last.size} of budget ${last.budget} per run` : '';
  };
  const distribution = el(
    'section',
    { class: 'distribution', 'aria-label': 'Class distribution per task' },
    ...tasks.map((task) => {
      const ofTask = records.filter((r) => r.task === task);
      const counts = new Map<string, number>();
      for (const r of ofTask) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
      return el(
        'div',
        { class: 'task' },
        el(
          'div',
          { class: 'task-name' },
          `${task}: ${ofTask.length} examples ${budgetOf(task) !== '' ? `(${budgetOf(task)})` : ''}`,
        ),
        el(
          'div',
          { class: 'stack', role: 'img', 'aria-label': [...counts].map(([l, c]) => `${l} ${c}`).join(', ') },
          ...[...counts].map(([l, c], i) =>
            el(
              'span',
              { class: `seg seg-${i % 6}`, style: `flex-grow: ${c}`, title: `${l}: ${c}` },
              `${l} ${c}`,
            ),
          ),
        ),
      );
    }),
  );
  app.replaceChildren(
    el('h2', {}, `Replay memory · ${records.length} examples`),
    el('div', { class: 'filters' }, taskSelect, labels, search, count),
    distribution,
    el(
      'div',
      { class: 'header', role: 'row' },
      ...['seed/order', 'task', 'label', 'text'].map((h) => el('span', { role: 'columnheader' }, h)),
    ),
    tableSlot,
    detail,
  );
  redraw();
}

host.onMessage((message: HostToWebviewMessage) => {
  if (message.type === 'error')
    app.replaceChildren(el('div', { class: 'error', role: 'alert' }, message.payload.message));
  else if (message.type === 'memory') {
    const records = lines<MemoryRecord>(message.payload.records);
    if (records.length === 0) {
      app.replaceChildren(
        el(
          'div',
          { class: 'error', role: 'alert' },
          `The memory of ${message.payload.runDir} is empty or unreadable.`,
        ),
      );
      return;
    }
    host.state = { runDir: message.payload.runDir };
    show(records, lines<RunEvent>(message.payload.events));
  }
});
host.post('ready', { panel: 'memory' });
