import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { MetricsFile, RoutingFile } from '../protocol/runFolder';
import { RUN_FILES } from '../protocol/runFolder';
import { flag, parseArgs } from './args';
import { renderTable, resultsTable } from './table';

/** `l2r report RUN_DIR... [--out FILE.md]`: docs-ready Markdown of one or more finished runs. */
export async function reportCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { out: 'value' });
  if (args.positionals.length === 0) {
    console.error('usage: l2r report RUN_DIR... [--out FILE.md]');
    return 2;
  }
  const sections: string[] = [];
  for (const dir of args.positionals.map((d) => resolve(d))) {
    let metrics: MetricsFile;
    try {
      metrics = JSON.parse(await readFile(join(dir, RUN_FILES.metrics), 'utf8')) as MetricsFile;
    } catch {
      console.error(`l2r report: ${dir} has no readable ${RUN_FILES.metrics}; is the run finished?`);
      return 1;
    }
    sections.push(
      `## ${metrics.stream} (${metrics.runId})`,
      '',
      `Backend ${metrics.backend}, ${metrics.seconds.toFixed(1)} s.`,
      '',
      resultsTable(metrics),
      '',
    );
    const routing = await readFile(join(dir, RUN_FILES.routing), 'utf8')
      .then((t) => JSON.parse(t) as RoutingFile)
      .catch(() => undefined);
    const table = routing?.tables[0];
    if (table !== undefined) {
      const last = table.layers - 1;
      sections.push(
        `Routing confusion (${table.method}, seed ${table.seed}, order ${table.order}, last layer): rows are true tasks, columns the dominant adapter.`,
        '',
        renderTable(
          ['task', ...table.adapters],
          table.adapters.map((t, i) => [t, ...(table.confusion[last]?.[i] ?? []).map(String)]),
        ),
        '',
      );
    }
  }
  const markdown = sections.join('\n');
  const out = flag(args, 'out');
  if (out !== undefined) await writeFile(out, markdown);
  else console.log(markdown);
  return 0;
}
