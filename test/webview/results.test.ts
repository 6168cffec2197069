import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PanelHarness, repoRoot } from './harness';

const metrics = readFileSync(join(repoRoot, 'test', 'fixtures', 'runs', 'recorded', 'metrics.json'), 'utf8');
const recorded = JSON.parse(metrics) as {
  aggregate: {
    method: string;
    setting: string;
    accuracyMean: number;
    accuracyStd: number;
    memory?: string;
  }[];
  runId: string;
  matrices: { method: string; setting: string; seed: number; order: string; r: number[][] }[];
};

describe('Results panel in Chromium', () => {
  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`renders a recorded run's comparison table, bars and matrices (${theme})`, async () => {
      const h = new PanelHarness();
      try {
        await h.open('results', theme);
        const posted = await h.posted();
        assert.deepEqual(posted[0], { type: 'ready', payload: { panel: 'results' } });
        await h.send({ type: 'results', payload: { runs: [{ runDir: '/runs/recorded', metrics }] } });
        const row = h.page.locator('table.comparison tbody tr', { hasText: 'l2r-wavg' }).first();
        await row.waitFor();
        const wavg = recorded.aggregate.find(
          (a) => a.method === 'l2r-wavg' && a.setting === 'cil' && a.memory === undefined,
        );
        assert.ok(wavg !== undefined);
        const expected = `${wavg.accuracyMean.toFixed(1)} ± ${wavg.accuracyStd.toFixed(1)}`;
        assert.equal((await row.locator('td').first().textContent())?.trim(), expected);
        assert.ok(
          (await h.page.locator('table.heatmap').count()) >= 1,
          'the lower bound has an accuracy matrix',
        );
        assert.ok((await h.page.locator('.bar-group').count()) >= 2);
        await h.screenshot(`results-${theme}`);
      } finally {
        await h.close();
      }
    });
  }

  it('shows the best rehearsal-free baseline beside L2R-wavg, and nothing without one', async () => {
    const h = new PanelHarness();
    try {
      await h.open('results');
      await h.send({ type: 'results', payload: { runs: [{ runDir: '/runs/recorded', metrics }] } });
      const line = h.page.locator('p.verdict');
      await line.waitFor();
      const epi = recorded.aggregate.find((a) => a.method === 'epi' && a.setting === 'cil');
      assert.ok(epi !== undefined, 'the recorded run has the EPI-like baseline');
      const text = (await line.textContent()) ?? '';
      assert.ok(
        text.startsWith(
          `Best rehearsal-free baseline: epi, CIL ${epi.accuracyMean.toFixed(1)} ± ${epi.accuracyStd.toFixed(1)} against L2R-wavg`,
        ),
        text,
      );
      const parsed = JSON.parse(metrics) as { aggregate: { method: string }[] };
      const without = JSON.stringify({
        ...parsed,
        aggregate: parsed.aggregate.filter((a) => a.method !== 'epi'),
      });
      await h.send({ type: 'results', payload: { runs: [{ runDir: '/runs/other', metrics: without }] } });
      await h.page.locator('section.run[data-run="/runs/other"]').waitFor();
      assert.equal(await h.page.locator('p.verdict').count(), 0);
    } finally {
      await h.close();
    }
  });

  it('copies the table as Markdown through the host', async () => {
    const h = new PanelHarness();
    try {
      await h.open('results');
      await h.send({ type: 'results', payload: { runs: [{ runDir: '/runs/recorded', metrics }] } });
      await h.page.getByRole('button', { name: 'Copy as Markdown' }).first().click();
      const copy = (await h.posted()).find((m) => m.type === 'copyText');
      assert.match(
        String((copy?.payload as { text?: string } | undefined)?.text),
        /^\| Method \| CIL accuracy % \|/,
      );
    } finally {
      await h.close();
    }
  });

  it('exports the per-task bars and an accuracy matrix as SVG and PNG through the host', async () => {
    const h = new PanelHarness();
    try {
      await h.open('results');
      await h.send({ type: 'results', payload: { runs: [{ runDir: '/runs/recorded', metrics }] } });
      const exported = async (name: string): Promise<{ suggestedName: string; content: string }> => {
        const before = (await h.posted()).length;
        await h.page.getByRole('button', { name }).first().click();
        await h.page.waitForFunction(
          (n) => (globalThis as unknown as { __posted: unknown[] }).__posted.length > n,
          before,
        );
        return (await h.posted()).at(-1)?.payload as { suggestedName: string; content: string };
      };
      const bars = await exported('Export per-task accuracy as SVG');
      assert.equal(bars.suggestedName, 'fixture-run-per-task.svg');
      assert.match(bars.content, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      for (const task of ['spam', 'udhr'])
        assert.ok(bars.content.includes(`>${task}<`), `${task} in the SVG`);
      const png = await exported('Export per-task accuracy as PNG');
      assert.equal(png.suggestedName, 'fixture-run-per-task.png');
      assert.match(png.content, /^data:image\/png;base64,.{200}/);
      const matrix = await exported('Export the lower CIL matrix as SVG');
      assert.match(matrix.suggestedName, /^fixture-run-matrix-lower-cil-s1-main\.svg$/);
      const first = recorded.matrices.find((m) => m.method === 'lower' && m.setting === 'cil');
      assert.ok(matrix.content.includes(`>${(first?.r[0]?.[0] ?? NaN).toFixed(1)}<`), 'R[0][0] printed');
    } finally {
      await h.close();
    }
  });

  it('shows a clear message for an empty, or a corrupt, run instead of a blank page', async () => {
    const h = new PanelHarness();
    try {
      await h.open('results');
      await h.send({
        type: 'error',
        payload: { message: 'No results yet for run-1: metrics.json appears when a run finishes.' },
      });
      await h.page.getByRole('alert').waitFor();
      assert.match((await h.page.getByRole('alert').textContent()) ?? '', /No results yet/);
      await h.send({
        type: 'results',
        payload: { runs: [{ runDir: '/runs/broken', metrics: '{"rows": tru' }] },
      });
      await h.page.getByRole('alert', { name: '' }).filter({ hasText: 'corrupt' }).waitFor();
    } finally {
      await h.close();
    }
  });

  it('puts two runs side by side', async () => {
    const h = new PanelHarness();
    try {
      await h.open('results');
      await h.send({
        type: 'results',
        payload: {
          runs: [
            { runDir: '/a', metrics },
            { runDir: '/b', metrics },
          ],
        },
      });
      await h.page.locator('table.side-by-side').waitFor();
      assert.equal(await h.page.locator('section.run').count(), 2);
    } finally {
      await h.close();
    }
  });
});
