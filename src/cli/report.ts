import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { MetricsFile, RoutingFile, RoutingTable } from '../protocol/runFolder';
import { RUN_FILES } from '../protocol/runFolder';
import { flag, parseArgs } from './args';
import { renderTable, resultsTable } from './table';

/**
 * Routing confusion of one method at one layer, summed over seeds and orders and shown as row
 * percentages: rows are true tasks, columns the adapter with the highest score.
 */
export function confusionTable(
  tables: readonly RoutingTable[],
  method: string,
  layer: 'first' | 'last',
): string | undefined {
  const chosen = tables.filter((t) => t.method === method);
  const first = chosen[0];
  if (first === undefined) return undefined;
  const names = [...first.adapters].sort();
  const sums = names.map(() => names.map(() => 0));
  for (const table of chosen) {
    const l = layer === 'first' ? 0 : table.layers - 1;
    table.adapters.forEach((trueTask, i) => {
      table.adapters.forEach((adapter, j) => {
        const row = sums[names.indexOf(trueTask)];
        const col = names.indexOf(adapter);
        if (row !== undefined && col >= 0) row[col] = (row[col] ?? 0) + (table.confusion[l]?.[i]?.[j] ?? 0);
      });
    });
  }
  const rows = names.map((name, i) => {
    const row = sums[i] ?? [];
    const total = row.reduce((a, b) => a + b, 0) || 1;
    return [name, ...row.map((v) => ((100 * v) / total).toFixed(0))];
  });
  return renderTable(['true task \\ adapter', ...names], rows);
}

/** `l2r report RUN_DIR... [--out FILE.md]`: docs-ready Markdown (and FILE.csv) of finished runs. */
export async function reportCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { out: 'value' });
  if (args.positionals.length === 0) {
    console.error('usage: l2r report RUN_DIR... [--out FILE.md]');
    return 2;
  }
  const sections: string[] = [];
  const csv: string[] = [
    'run,method,setting,memory,n,accuracy_mean,accuracy_std,macro_f1_mean,forgetting_mean,bwt_mean',
  ];
  for (const dir of args.positionals.map((d) => resolve(d))) {
    let metrics: MetricsFile;
    try {
      metrics = JSON.parse(await readFile(join(dir, RUN_FILES.metrics), 'utf8')) as MetricsFile;
    } catch {
      console.error(`l2r report: ${dir} has no readable ${RUN_FILES.metrics}; is the run finished?`);
      return 1;
    }
    const seeds = new Set(metrics.rows.map((r) => r.seed)).size;
    const orders = new Set(metrics.rows.map((r) => r.order)).size;
    sections.push(
      `## ${metrics.stream} (${metrics.runId})`,
      '',
      `${seeds} seed(s) × ${orders} order(s), backend ${metrics.backend}, ${metrics.seconds.toFixed(0)} s. Accuracy in %, mean ± std over seeds and orders.`,
      '',
      resultsTable(metrics),
      '',
    );
    for (const a of metrics.aggregate) {
      const f = (v: number | undefined): string => (v === undefined ? '' : v.toFixed(2));
      csv.push(
        [
          metrics.runId,
          a.method,
          a.setting,
          a.memory ?? '',
          a.n,
          f(a.accuracyMean),
          f(a.accuracyStd),
          f(a.macroF1Mean),
          f(a.forgettingMean),
          f(a.bwtMean),
        ].join(','),
      );
    }
    const routing = await readFile(join(dir, RUN_FILES.routing), 'utf8')
      .then((t) => JSON.parse(t) as RoutingFile)
      .catch(() => undefined);
    const wavgTables = routing?.tables.filter((t) => t.method === 'l2r-wavg') ?? [];
    if (wavgTables.length > 0) {
      const layers = wavgTables[0]?.layers ?? 0;
      const active = Array.from(
        { length: layers },
        (_, l) => wavgTables.reduce((sum, t) => sum + (t.meanActive[l] ?? 0), 0) / wavgTables.length,
      );
      sections.push(
        `Mean number of active adapters (score ≥ 0.5) per layer, L2R-wavg: ${active.map((a, l) => `layer ${l + 1}: ${a.toFixed(2)}`).join(', ')}.`,
        '',
      );
    }
    for (const layer of ['first', 'last'] as const) {
      const table = routing !== undefined ? confusionTable(routing.tables, 'l2r-wavg', layer) : undefined;
      if (table === undefined) continue;
      sections.push(
        `Routing confusion of L2R-wavg, ${layer} adapted layer (% of each true task's test examples by dominant adapter):`,
        '',
        table,
        '',
      );
    }
  }
  const markdown = sections.join('\n');
  const out = flag(args, 'out');
  if (out !== undefined) {
    await writeFile(out, markdown);
    await writeFile(out.replace(/\.md$/i, '') + '.csv', `${csv.join('\n')}\n`);
    console.log(`wrote ${out} and ${out.replace(/\.md$/i, '')}.csv`);
  } else console.log(markdown);
  return 0;
}
