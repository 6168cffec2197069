import type { AggregateRow, ResultRow } from '../../protocol/runFolder';
import { mean, std } from '../eval/metrics';

/** Mean +- std over seeds and orders, per method, setting and memory size. */
export function aggregateRows(rows: readonly ResultRow[]): AggregateRow[] {
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) {
    const key = JSON.stringify([r.method, r.setting, r.memory ?? '']);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0] as ResultRow;
    const optionalMean = (values: (number | undefined)[]): number | undefined => {
      const defined = values.filter((v): v is number => v !== undefined);
      return defined.length === 0 ? undefined : mean(defined);
    };
    return {
      method: first.method,
      setting: first.setting,
      memory: first.memory,
      n: g.length,
      accuracyMean: mean(g.map((r) => r.accuracy)),
      accuracyStd: std(g.map((r) => r.accuracy)),
      macroF1Mean: mean(g.map((r) => r.macroF1)),
      macroF1Std: std(g.map((r) => r.macroF1)),
      forgettingMean: optionalMean(g.map((r) => r.forgetting)),
      bwtMean: optionalMean(g.map((r) => r.bwt)),
      fwtMean: optionalMean(g.map((r) => r.fwt)),
    };
  });
}

/** One CSV row per result row; per-task accuracies as extra columns. */
export function resultsCsv(rows: readonly ResultRow[]): string {
  const tasks = [...new Set(rows.flatMap((r) => Object.keys(r.perTask)))];
  const header = [
    'seed',
    'order',
    'memory',
    'method',
    'setting',
    'accuracy',
    'macro_f1',
    'forgetting',
    'bwt',
    'fwt',
    ...tasks.map((t) => `acc_${t}`),
  ];
  const cell = (v: string | number | undefined): string => {
    if (v === undefined) return '';
    const s = typeof v === 'number' ? String(Math.round(v * 100) / 100) : v;
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = rows.map((r) =>
    [
      r.seed,
      r.order,
      r.memory,
      r.method,
      r.setting,
      r.accuracy,
      r.macroF1,
      r.forgetting,
      r.bwt,
      r.fwt,
      ...tasks.map((t) => r.perTask[t]),
    ]
      .map(cell)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\n')}\n`;
}
