import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PanelHarness, repoRoot } from './harness';

const fixture = join(repoRoot, 'test', 'fixtures', 'runs', 'recorded');
const records = readFileSync(join(fixture, 'memory.jsonl'), 'utf8');
const events = readFileSync(join(fixture, 'events.jsonl'), 'utf8');
const total = records.split('\n').filter((l) => l.trim() !== '').length;

describe('Memory panel in Chromium', () => {
  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`lists the memory, filters by task and label and searches the text (${theme})`, async () => {
      const h = new PanelHarness();
      try {
        await h.open('memory', theme);
        await h.send({ type: 'memory', payload: { runDir: '/runs/recorded', records, events } });
        await h.page.locator('.count').waitFor();
        assert.equal((await h.page.locator('.count').textContent())?.trim(), `${total} shown`);
        assert.equal(await h.page.locator('.task').count(), 2, 'a class-distribution bar per task');
        assert.match((await h.page.locator('.task-name').first().textContent()) ?? '', /of budget \d+/);
        await h.page.getByRole('combobox', { name: 'All tasks' }).click();
        await h.page.getByRole('option', { name: 'spam', exact: true }).click();
        await h.page.locator('.count', { hasNotText: `${total} shown` }).waitFor();
        const spam = Number((await h.page.locator('.count').textContent())?.split(' ')[0]);
        const spamRecords = records.split('\n').filter((l) => l.includes('"task":"spam"')).length;
        assert.equal(spam, spamRecords, 'the task filter keeps exactly that task');
        // The label list now holds only spam's labels; choose one by keyboard.
        const labels = h.page.getByRole('combobox', { name: 'All labels' });
        await labels.focus();
        await h.page.keyboard.press('Enter');
        const labelOptions = await h.page.getByRole('option').allTextContents();
        assert.deepEqual(
          labelOptions.map((o) => o.trim()),
          ['All labels', 'ham', 'spam'],
          'labels of the chosen task only',
        );
        await h.page.keyboard.press('ArrowDown');
        await h.page.keyboard.press('Enter');
        await h.page.locator('.count', { hasNotText: `${spam} shown` }).waitFor();
        const ham = Number((await h.page.locator('.count').textContent())?.split(' ')[0]);
        assert.ok(ham > 0 && ham < spam, `${ham} ham of ${spam} spam-task examples`);
        await h.screenshot(`memory-${theme}`);
        await h.page.getByLabel('Search memory text').fill('zzzz-not-there');
        await h.page.locator('.count', { hasText: '0 shown' }).waitFor();
        // A page expression as a string (this file has no DOM types): the focused element inside the
        // focused field's shadow root.
        const focused = await h.page.evaluate(
          "document.activeElement?.shadowRoot?.activeElement?.getAttribute('aria-label') ?? ''",
        );
        assert.equal(focused, 'Search memory text', 'the search field keeps focus while the table follows');
      } finally {
        await h.close();
      }
    });
  }

  it('stays responsive with 20,000 rows: it renders only the rows in view', async () => {
    const h = new PanelHarness();
    try {
      await h.open('memory', 'dark');
      const one = records.split('\n')[0] ?? '';
      const many = Array.from({ length: 20000 }, () => one).join('\n');
      await h.send({ type: 'memory', payload: { runDir: '/runs/big', records: many, events: '' } });
      await h.page.locator('.count', { hasText: '20000 shown' }).waitFor();
      const rendered = await h.page.locator('.row').count();
      assert.ok(rendered > 0 && rendered < 200, `${rendered} rows in the DOM for 20,000 examples`);
    } finally {
      await h.close();
    }
  });

  it('shows how the router scores an example, per layer and adapter, when the example is opened', async () => {
    const h = new PanelHarness();
    try {
      await h.open('memory');
      await h.send({ type: 'memory', payload: { runDir: '/runs/recorded', records, events } });
      const first = JSON.parse(records.split('\n')[0] ?? '{}') as { scores: number[][] };
      await h.page.locator('.row').first().click();
      const table = h.page.locator('table.scores');
      await table.waitFor();
      assert.equal(await table.locator('tbody tr').count(), first.scores.length, 'a row per layer');
      assert.deepEqual(
        (await table.locator('thead th').allTextContents()).slice(1),
        ['spam', 'udhr'],
        'a column per adapter, in stream order',
      );
      const cells = await table.locator('tbody tr').first().locator('td').allTextContents();
      assert.deepEqual(
        cells,
        (first.scores[0] ?? []).map((v) => v.toFixed(2)),
      );
      // Keyboard: Enter on another row opens that one.
      await h.page.locator('.row').nth(1).focus();
      await h.page.keyboard.press('Enter');
      const second = JSON.parse(records.split('\n')[1] ?? '{}') as { text: string };
      await h.page.locator('.detail h3', { hasText: second.text.slice(0, 20) }).waitFor();
      await h.screenshot('memory-routing-light');
    } finally {
      await h.close();
    }
  });

  it('says why there are no scores for a run stopped before its router was trained', async () => {
    const h = new PanelHarness();
    try {
      await h.open('memory');
      const unscored = records
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => {
          const { scores: _scores, ...rest } = JSON.parse(l) as Record<string, unknown>;
          return JSON.stringify(rest);
        })
        .join('\n');
      await h.send({ type: 'memory', payload: { runDir: '/runs/partial', records: unscored, events } });
      await h.page.locator('.row').first().click();
      await h.page.locator('.detail', { hasText: 'stopped before its router was trained' }).waitFor();
      assert.equal(await h.page.locator('table.scores').count(), 0);
    } finally {
      await h.close();
    }
  });

  it('says so when the memory is empty', async () => {
    const h = new PanelHarness();
    try {
      await h.open('memory');
      await h.send({ type: 'memory', payload: { runDir: '/runs/empty', records: '', events: '' } });
      await h.page.getByRole('alert').waitFor();
      assert.match((await h.page.getByRole('alert').textContent()) ?? '', /empty or unreadable/);
    } finally {
      await h.close();
    }
  });
});
