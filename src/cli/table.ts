import type { MetricsFile } from '../protocol/runFolder';
import { rehearsalFreeVerdict } from '../protocol/verdict';

const methodOrder = [
  'l2r-wavg',
  'l2r-merge',
  'softmax-wavg',
  'softmax-merge',
  'oracle',
  'upper',
  'lower',
  'epi',
  'lda',
  'klda',
  'ncm',
  'mocl',
  'dam',
];

function cell(mean: number | undefined, std: number | undefined, n: number): string {
  if (mean === undefined) return '-';
  return n > 1 && std !== undefined ? `${mean.toFixed(1)} ± ${std.toFixed(1)}` : mean.toFixed(1);
}

/** The results table: one row per method, CIL and TIL accuracy (%), mean ± std over seeds and orders. */
export function resultsTable(metrics: MetricsFile): string {
  const methods = [
    ...new Set(metrics.aggregate.filter((a) => a.memory === undefined).map((a) => a.method)),
  ].sort((a, b) => rank(a) - rank(b));
  const transfer = metrics.aggregate.some((a) => a.forgettingMean !== undefined);
  const find = (method: string, setting: 'cil' | 'til', memory?: string) =>
    metrics.aggregate.find((a) => a.method === method && a.setting === setting && a.memory === memory);
  const rows = methods.map((method) => {
    const cil = find(method, 'cil');
    const til = find(method, 'til');
    const row = [
      method,
      cell(cil?.accuracyMean, cil?.accuracyStd, cil?.n ?? 0),
      cell(til?.accuracyMean, til?.accuracyStd, til?.n ?? 0),
    ];
    if (transfer) row.push(cil?.forgettingMean?.toFixed(1) ?? '-', cil?.bwtMean?.toFixed(1) ?? '-');
    return row;
  });
  const header = ['method', 'CIL acc %', 'TIL acc %', ...(transfer ? ['CIL forgetting', 'CIL BWT'] : [])];
  const lines = [renderTable(header, rows)];
  const verdict = rehearsalFreeVerdict(metrics.aggregate);
  if (verdict !== undefined) lines.push('', verdict.line);
  const sweep = metrics.aggregate.filter((a) => a.memory !== undefined && a.setting === 'cil');
  if (sweep.length > 0) {
    lines.push(
      '',
      'Memory sweep (the same adapters, a router trained per memory size), %:',
      renderTable(
        ['method', 'memory per task', 'CIL acc %', 'TIL acc %'],
        sweep.map((a) => {
          const til = find(a.method, 'til', a.memory);
          return [
            a.method,
            a.memory ?? '',
            cell(a.accuracyMean, a.accuracyStd, a.n),
            cell(til?.accuracyMean, til?.accuracyStd, til?.n ?? 0),
          ];
        }),
      ),
    );
  }
  const single = singleTask(metrics);
  if (single.length > 0) {
    lines.push(
      '',
      'Single-task accuracy (each task with its own adapter and head), %:',
      renderTable(
        ['task', 'accuracy'],
        single.map(([t, a]) => [t, a.toFixed(1)]),
      ),
    );
  }
  return lines.join('\n');
}

/** Per task, the oracle's accuracy: the task's own adapter and head, averaged over seeds and orders. */
function singleTask(metrics: MetricsFile): [string, number][] {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const row of metrics.rows.filter((r) => r.method === 'oracle')) {
    for (const [task, acc] of Object.entries(row.perTask)) {
      const s = sums.get(task) ?? { sum: 0, n: 0 };
      sums.set(task, { sum: s.sum + acc, n: s.n + 1 });
    }
  }
  return [...sums.entries()].map(([t, s]) => [t, s.sum / s.n]);
}

function rank(method: string): number {
  const i = methodOrder.indexOf(method);
  return i < 0 ? methodOrder.length : i;
}

export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}
