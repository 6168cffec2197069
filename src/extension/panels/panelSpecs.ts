import { open, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { RunMeta } from '../../protocol/runFolder';
import { RUN_FILES } from '../../protocol/runFolder';
import type { HostToWebviewMessage, PanelKind } from '../../protocol/webview';
import type { Loaded, PanelSpec } from './runPanel';

const read = (runDir: string, file: string): Promise<string> => readFile(join(runDir, file), 'utf8');
const error = (message: string): Loaded => ({ message: { type: 'error', payload: { message } } });
const loaded = (message: HostToWebviewMessage): Loaded => ({ message });

/**
 * The complete lines of an append-only file from byte `from` on (a line still being written waits for
 * the next read). A file shorter than `from` was replaced: it is read from the start.
 */
export async function readAppended(
  path: string,
  from: number,
): Promise<{ lines: string; from: number; end: number }> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const start = size < from ? 0 : from;
    const bytes = Buffer.alloc(size - start);
    await file.read(bytes, 0, bytes.length, start);
    const complete = bytes.lastIndexOf(0x0a) + 1;
    return { lines: bytes.subarray(0, complete).toString('utf8'), from: start, end: start + complete };
  } finally {
    await file.close();
  }
}

/** The four panels: what each shows, which run files refresh it, and how it reads them. */
export const panelSpecs: Readonly<Record<PanelKind, PanelSpec>> = {
  /** Timeline, loss curves, throughput and ETA, from the run's event log. */
  progress: {
    kind: 'progress',
    viewType: 'l2r.progress',
    title: 'L2R Progress',
    watch: `{${RUN_FILES.events},${RUN_FILES.meta}}`,
    multiple: false,
    async load([runDir = ''], cursor) {
      try {
        const { lines, from, end } = await readAppended(join(runDir, RUN_FILES.events), cursor ?? 0);
        const meta = await read(runDir, RUN_FILES.meta)
          .then((t) => JSON.parse(t) as RunMeta)
          .catch(() => undefined);
        return {
          message: {
            type: 'events',
            payload: { runDir, lines, status: meta?.status ?? 'running', from, to: end },
          },
          cursor: end,
        };
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
        return loaded({ type: 'memory', payload: { runDir, records, events } });
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
        return loaded({ type: 'routing', payload: { runDir, json: await read(runDir, RUN_FILES.routing) } });
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
        : loaded({ type: 'results', payload: { runs } });
    },
  },
};
