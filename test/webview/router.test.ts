import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RoutingFile } from '../../src/protocol/runFolder';
import { PanelHarness, repoRoot } from './harness';

const json = readFileSync(join(repoRoot, 'test', 'fixtures', 'runs', 'recorded', 'routing.json'), 'utf8');
const routing = JSON.parse(json) as RoutingFile;

describe('Router Composition panel in Chromium', () => {
  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`shows per-layer mean scores, the routing confusion and a per-example trace (${theme})`, async () => {
      const h = new PanelHarness();
      try {
        await h.open('router', theme);
        await h.send({ type: 'routing', payload: { runDir: '/runs/recorded', json } });
        const first = routing.tables[0];
        assert.ok(first !== undefined);
        const scores = h.page.getByRole('table', { name: /Mean routing score, layer 1/ });
        await scores.waitFor();
        const cell = (await scores.locator('tbody tr').first().locator('td').first().textContent())?.trim();
        assert.equal(cell, (first.meanScores[0]?.[0]?.[0] ?? NaN).toFixed(2));
        await h.page.getByRole('combobox', { name: 'Layer', exact: true }).click();
        await h.page.getByRole('option', { name: 'layer 2', exact: true }).click();
        await h.page.getByRole('table', { name: /Routing confusion, layer 2/ }).waitFor();
        const trace = h.page.getByRole('table', { name: /Scores per layer/ });
        assert.equal(await trace.locator('tbody tr').count(), first.layers);
        await h.screenshot(`router-${theme}`);
        await h.page.getByRole('button', { name: /Export Routing confusion, layer 2.* as SVG/ }).click();
        const svg = (await h.posted()).find((m) => m.type === 'exportFile')?.payload as
          { suggestedName: string; content: string } | undefined;
        assert.match(svg?.suggestedName ?? '', /^routing-confusion-layer-2.*\.svg$/);
        for (const adapter of first.adapters) assert.ok(svg?.content.includes(`>${adapter}<`), adapter);
      } finally {
        await h.close();
      }
    });
  }

  it('says what is wrong with a corrupt routing.json', async () => {
    const h = new PanelHarness();
    try {
      await h.open('router');
      await h.send({ type: 'routing', payload: { runDir: '/runs/bad', json: '{"tables": [' } });
      await h.page.getByRole('alert').waitFor();
      assert.match((await h.page.getByRole('alert').textContent()) ?? '', /empty or unreadable/);
    } finally {
      await h.close();
    }
  });
});
