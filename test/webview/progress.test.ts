import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PanelHarness, repoRoot } from './harness';

const lines = readFileSync(join(repoRoot, 'test', 'fixtures', 'runs', 'recorded', 'events.jsonl'), 'utf8');

describe('Progress panel in Chromium', () => {
  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`shows the timeline, the loss chart and the last epochs of a recorded run (${theme})`, async () => {
      const h = new PanelHarness();
      try {
        await h.open('progress', theme);
        await h.send({
          type: 'events',
          payload: {
            runDir: '/runs/recorded',
            lines,
            status: 'completed',
            from: 0,
            to: Buffer.byteLength(lines),
          },
        });
        await h.page.locator('.timeline li').first().waitFor();
        assert.deepEqual(await h.page.locator('.timeline li').allTextContents(), ['1. spam', '2. udhr']);
        assert.equal(
          await h.page.locator('.timeline li.done').count(),
          2,
          'both tasks finished their adapters',
        );
        assert.equal(await h.page.locator('.chart canvas').count(), 1, 'uPlot drew the loss chart');
        const lastRow = h.page.locator('table.epochs tbody tr').last();
        // The fixture's last epoch is seed 2's upper-bound training (a baseline, no task).
        assert.deepEqual((await lastRow.locator('td').allTextContents()).slice(0, 3), [
          '2',
          'main',
          'baseline',
        ]);
        assert.equal(
          await h.page.getByRole('button', { name: 'Stop' }).isDisabled(),
          true,
          'a finished run cannot be stopped',
        );
        await h.page.getByRole('button', { name: 'Export chart as PNG' }).click();
        const exported = (await h.posted()).find((m) => m.type === 'exportFile')?.payload as
          { content?: string; suggestedName?: string } | undefined;
        assert.match(exported?.content ?? '', /^data:image\/png;base64,/);
        assert.equal(exported?.suggestedName, 'fixture-run-loss.png');
        await h.screenshot(`progress-${theme}`);
      } finally {
        await h.close();
      }
    });
  }

  it('asks the host to resume a stopped run, and adds the lines appended to the log', async () => {
    const h = new PanelHarness();
    try {
      await h.open('progress');
      const all = lines.split('\n');
      const firstHalf = `${all.slice(0, 10).join('\n')}\n`;
      const rest = all.slice(10).join('\n');
      await h.send({
        type: 'events',
        payload: {
          runDir: '/runs/r',
          lines: firstHalf,
          status: 'cancelled',
          from: 0,
          to: Buffer.byteLength(firstHalf),
        },
      });
      await h.page.getByRole('button', { name: 'Resume' }).click();
      assert.deepEqual(
        (await h.posted()).find((m) => m.type === 'resumeRun'),
        { type: 'resumeRun', payload: { runDir: '/runs/r' } },
      );
      const before = await h.page.locator('table.epochs tbody tr').count();
      // Only the appended lines, starting where the first message ended (UTF-8 bytes).
      await h.send({
        type: 'events',
        payload: {
          runDir: '/runs/r',
          lines: rest,
          status: 'running',
          from: Buffer.byteLength(firstHalf),
          to: Buffer.byteLength(firstHalf) + Buffer.byteLength(rest),
        },
      });
      // A string predicate: it runs in the page, and the Node tsconfig has no DOM types.
      await h.page.waitForFunction(`document.querySelectorAll('table.epochs tbody tr').length > ${before}`);
      assert.equal(
        await h.page.locator('.timeline li.done').count(),
        2,
        'the appended lines finish both tasks of the timeline the first lines began',
      );
      // A message that does not continue the log (one was missed): the page asks for all of it again.
      const asked = (await h.posted()).filter((m) => m.type === 'ready').length;
      await h.send({
        type: 'events',
        payload: { runDir: '/runs/r', lines: rest, status: 'running', from: 7, to: 9 },
      });
      await h.page.waitForFunction(`window.__posted?.filter((m) => m.type === 'ready').length > ${asked}`);
    } finally {
      await h.close();
    }
  });

  it('says what is wrong with an empty log instead of showing a blank page', async () => {
    const h = new PanelHarness();
    try {
      await h.open('progress');
      await h.send({
        type: 'events',
        payload: { runDir: '/runs/empty', lines: '', status: 'running', from: 0, to: 0 },
      });
      await h.page.getByRole('alert').waitFor();
      assert.match((await h.page.getByRole('alert').textContent()) ?? '', /empty or unreadable/);
    } finally {
      await h.close();
    }
  });
});
