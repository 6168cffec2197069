// Panel benchmark: the Memory panel with 20,000 examples and the Progress panel with 100,000 events,
// in the same headless Chromium the panel tests use. Times are measured inside the page (from the
// host message to the next painted frame); heap from the DevTools protocol. A measurement, printed
// as Markdown for docs/BENCHMARKS.md, never an assertion.
// Usage: npm run build && node --import tsx bench/panels.bench.ts
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PanelHarness, repoRoot } from '../test/webview/harness';

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
const p95 = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length * 0.95)] ?? NaN;

/**
 * Page-side helpers (plain browser JavaScript): each action runs synchronously, then resolves with
 * the ms until the next painted frame.
 */
const PAGE_HELPERS = `
window.__bench = {
  painted(t0) {
    return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now() - t0))));
  },
  send(m) {
    const t0 = performance.now();
    window.dispatchEvent(new MessageEvent('message', { data: m }));
    return this.painted(t0);
  },
  filterFirstTask() {
    // The task drop-down (vscode-single-select): choose its second option as a click would.
    const s = document.querySelector('vscode-single-select');
    const value = s.querySelectorAll('vscode-option')[1].getAttribute('value');
    const t0 = performance.now();
    s.value = value;
    s.dispatchEvent(new Event('change'));
    return this.painted(t0);
  },
  search(text) {
    // The search field (vscode-textfield) fires 'input' from its inner input.
    const f = document.querySelector('vscode-textfield');
    const t0 = performance.now();
    f.value = text;
    f.dispatchEvent(new Event('input'));
    return this.painted(t0);
  },
  async scroll(steps) {
    const viewport = document.querySelector('.viewport');
    const times = [];
    for (let i = 1; i <= steps; i++) {
      const t0 = performance.now();
      viewport.scrollTop = (viewport.scrollHeight * i) / steps;
      times.push(await this.painted(t0));
    }
    return { times, rows: document.querySelectorAll('.row').length };
  },
  count(selector) {
    return document.querySelectorAll(selector).length;
  },
};`;

async function heapMb(h: PanelHarness): Promise<number> {
  const cdp = await h.page.context().newCDPSession(h.page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN) / 1e6;
}

/** Calls a page helper with JSON-serialisable arguments. */
function call<T>(h: PanelHarness, name: string, ...args: unknown[]): Promise<T> {
  return h.page.evaluate(
    ([n, a]) => {
      const bench = (globalThis as unknown as { __bench: Record<string, (...x: unknown[]) => unknown> })
        .__bench;
      return bench[n as string]?.(...(a as unknown[])) as T;
    },
    [name, args] as const,
  ) as Promise<T>;
}

async function openPanel(panel: string): Promise<PanelHarness> {
  const h = new PanelHarness();
  await h.open(panel);
  await h.page.addScriptTag({ content: PAGE_HELPERS });
  return h;
}

async function memoryPanel(): Promise<string[]> {
  const fixture = join(repoRoot, 'test', 'fixtures', 'runs', 'recorded', 'memory.jsonl');
  const base = readFileSync(fixture, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const records = Array.from({ length: 20_000 }, (_, i) => base[i % base.length]).join('\n');
  const h = await openPanel('memory');
  try {
    const message = { type: 'memory', payload: { runDir: '/bench', records, events: '' } };
    const load = await call<number>(h, 'send', message);
    const filter = await call<number>(h, 'filterFirstTask');
    const search = await call<number>(h, 'search', 'the');
    // Clear the filters again and scroll through the whole table in 100 steps.
    await call<number>(h, 'send', message);
    const frames = await call<{ times: number[]; rows: number }>(h, 'scroll', 100);
    const heap = await heapMb(h);
    return [
      `| Memory: load 20,000 examples (parse, distribution, first rows) | ${load.toFixed(0)} ms |`,
      `| Memory: filter by task | ${filter.toFixed(0)} ms |`,
      `| Memory: search text | ${search.toFixed(0)} ms |`,
      `| Memory: scroll step until the second frame is painted, median / p95 (100 steps; two 60 Hz frames = 33 ms) | ${median(frames.times).toFixed(1)} / ${p95(frames.times).toFixed(1)} ms |`,
      `| Memory: rows in the DOM | ${frames.rows} |`,
      `| Memory: JS heap after load | ${heap.toFixed(1)} MB |`,
    ];
  } finally {
    await h.close();
  }
}

function progressLog(n: number): string {
  const lines: string[] = [
    JSON.stringify({
      type: 'run-started',
      time: 0,
      runId: 'bench',
      stream: 'bench',
      backend: 'wasm',
      tasks: ['a', 'b', 'c', 'd', 'e'],
      seeds: [1],
      orders: ['main'],
      totalUnits: n,
      resumed: false,
    }),
  ];
  for (let i = 0; i < n; i++) {
    const task = ['a', 'b', 'c', 'd', 'e'][Math.floor((i * 5) / n)] ?? 'a';
    lines.push(
      JSON.stringify({
        type: 'epoch-end',
        time: i,
        seed: 1,
        order: 'main',
        phase: 'adapter',
        method: 'l2r',
        task,
        epoch: (i % 100) + 1,
        epochs: 100,
        loss: 2 * Math.exp(-(i % 100) / 30) + 0.05 * Math.sin(i),
        trainAccuracy: 0.5,
        examplesPerSecond: 3000,
        unitsDone: i + 1,
        totalUnits: n,
      }),
    );
  }
  return lines.join('\n');
}

async function progressPanel(): Promise<string[]> {
  const n = 100_000;
  const lines = progressLog(n);
  // The host sends only what was appended since the last message (from = bytes already sent).
  const more = progressLog(1000).split('\n').slice(1).join('\n');
  const h = await openPanel('progress');
  try {
    const load = await call<number>(h, 'send', {
      type: 'events',
      payload: {
        runDir: '/bench',
        lines: `${lines}\n`,
        status: 'running',
        from: 0,
        to: Buffer.byteLength(`${lines}\n`),
      },
    });
    const update = await call<number>(h, 'send', {
      type: 'events',
      payload: {
        runDir: '/bench',
        lines: more,
        status: 'running',
        from: Buffer.byteLength(`${lines}\n`),
        to: Buffer.byteLength(`${lines}\n`) + Buffer.byteLength(more),
      },
    });
    const heap = await heapMb(h);
    const points = await call<number>(h, 'count', '.chart canvas');
    return [
      `| Progress: load 100,000 events (${(lines.length / 1e6).toFixed(1)} MB of JSON lines) to a painted chart | ${load.toFixed(0)} ms |`,
      `| Progress: a refresh with 1,000 more events (only the appended lines are sent) | ${update.toFixed(0)} ms |`,
      `| Progress: charts drawn | ${points} |`,
      `| Progress: JS heap after the refresh | ${heap.toFixed(1)} MB |`,
    ];
  } finally {
    await h.close();
  }
}

async function main(): Promise<void> {
  const rows = [...(await memoryPanel()), ...(await progressPanel())];
  console.log(['| measurement | value |', '|---|---:|', ...rows].join('\n'));
}

void main();
