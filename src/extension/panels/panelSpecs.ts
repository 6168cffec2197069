import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { RunMeta } from '../../protocol/runFolder';
import { RUN_FILES } from '../../protocol/runFolder';
import type { HostToWebviewMessage, PanelKind } from '../../protocol/webview';
import type { PanelSpec } from './runPanel';

const read = (runDir: string, file: string): Promise<string> => readFile(join(runDir, file), 'utf8');
const error = (message: string): HostToWebviewMessage => ({ type: 'error', payload: { message } });

/** The four panels: what each shows, which run files refresh it, and how it reads them. */
export const panelSpecs: Readonly<Record<PanelKind, PanelSpec>> = {
  /** Timeline, loss curves, throughput and ETA, from the run's event log. */
  progress: {
    kind: 'progress',
    viewType: 'l2r.progress',
    title: 'L2R Progress',
    watch: `{${RUN_FILES.events},${RUN_FILES.meta}}`,
    multiple: false,
    async load([runDir = '']) {
      try {
        const lines = await read(runDir, RUN_FILES.events);
        const meta = await read(runDir, RUN_FILES.meta)
          .then((t) => JSON.parse(t) as RunMeta)
          .catch(() => undefined);
        return { type: 'events', payload: { runDir, lines, status: meta?.status ?? 'running' } };
      } catch {
        return error(
          `No progress yet: ${join(runDir, RUN_FILES.events)} does not exist. Start or resume the run.`,
        );
      }
    },
  },
  /** Every example of the replay memory, with the budgets from the event log. */
  memory: {
    kind: 'memory',
    viewType: 'l2r.memory',
    title: 'L2R Memory',
    watch: RUN_FILES.memory,
    multiple: false,
    async load([runDir = '']) {
      try {
        const records = await read(runDir, RUN_FILES.memory);
        const events = await read(runDir, RUN_FILES.events).catch(() => '');
        return { type: 'memory', payload: { runDir, records, events } };
      } catch {
        return error(
          `No memory yet: ${RUN_FILES.memory} is written when the run finishes its first stream pass.`,
        );
      }
    },
  },
  /** Per layer, which adapters the routers combine for which tasks; per-example traces. */
  router: {
    kind: 'router',
    viewType: 'l2r.router',
    title: 'L2R Router Composition',
    watch: RUN_FILES.routing,
    multiple: false,
    async load([runDir = '']) {
      try {
        return { type: 'routing', payload: { runDir, json: await read(runDir, RUN_FILES.routing) } };
      } catch {
        return error(`No routing yet: ${RUN_FILES.routing} is written when the run finishes its evaluation.`);
      }
    },
  },
  /** Method comparison, accuracy matrices and forgetting, for one run or several side by side. */
  results: {
    kind: 'results',
    viewType: 'l2r.results',
    title: 'L2R Results',
    watch: RUN_FILES.metrics,
    multiple: true,
    async load(runDirs) {
      const runs: { runDir: string; metrics: string }[] = [];
      const missing: string[] = [];
      for (const runDir of runDirs) {
        try {
          runs.push({ runDir, metrics: await read(runDir, RUN_FILES.metrics) });
        } catch {
          missing.push(basename(runDir));
        }
      }
      return runs.length === 0
        ? error(
            `No results yet for ${missing.join(', ') || 'this run'}: metrics.json appears when a run finishes.`,
          )
        : { type: 'results', payload: { runs } };
    },
  },
};
