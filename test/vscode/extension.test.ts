import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CodeServerSession, packagedVsix, repoRoot, setupTools } from './codeServer';

/** Runs in the page: the element's computed text colour (the Node tsconfig has no DOM types). */
const computedColour = (element: unknown): string =>
  (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(element)
    .color;

const tiny = readFileSync(join(repoRoot, 'examples', 'tiny.l2r'), 'utf8');

describe('the packaged extension in a real VS Code (code-server 4.100.3)', () => {
  const session = new CodeServerSession();

  before(async () => {
    const tools = setupTools();
    const vsix = packagedVsix();
    await session.start(
      tools,
      {
        'tiny.l2r': tiny,
        'broken.l2r': tiny.replace('epochs = 2', 'epocsh = 2'),
        // Long enough to be stopped part-way: many adapter epochs on tiny data.
        'slow.l2r': tiny.replace('stream tiny', 'stream slow').replace('epochs = 2', 'epochs = 300'),
      },
      { vsix },
    );
  });

  after(async () => {
    await session.dispose();
  });

  it('activates on a .l2r file and shows the language server diagnostic in the Problems panel', async () => {
    await session.openFile('broken.l2r');
    await session.page.keyboard.press('Control+Shift+M');
    const row = session.page.locator('.markers-panel .monaco-list-row', { hasText: "Unknown key 'epocsh'" });
    await row.first().waitFor({ timeout: 60_000 });
    await session.screenshot('problems-panel');
    assert.match((await row.first().textContent()) ?? '', /did you mean 'epochs'/);
  });

  it('flags a typo as it is typed, and clears it when the line is deleted', async () => {
    await session.openFile('tiny.l2r');
    await session.page.locator('.view-lines .view-line', { hasText: 'lr = 3e-3' }).first().click();
    await session.page.keyboard.press('End');
    await session.page.keyboard.press('Enter');
    await session.page.keyboard.type('bottlenek = 8');
    const row = session.page.locator('.markers-panel .monaco-list-row', {
      hasText: "Unknown key 'bottlenek'",
    });
    await row.first().waitFor({ timeout: 60_000 });
    assert.match((await row.first().textContent()) ?? '', /did you mean 'bottleneck'/);
    await session.screenshot('typed-typo');
    // Delete the typed line (Ctrl+Shift+K) and save: the file is as it was, and the diagnostic goes.
    await session.page.keyboard.press('Control+Shift+K');
    await session.page.keyboard.press('Control+S');
    await row.first().waitFor({ state: 'detached', timeout: 60_000 });
  });

  it('reports its activation time in the L2R log (a measurement, printed, not asserted against a budget)', async () => {
    const line = await session.waitFor(
      'the activation line in the extension log',
      () => findInFiles(session.dir, /activated in (\d+) ms/),
      30_000,
    );
    const server = await session.waitFor(
      'the language server line in the extension log',
      () => findInFiles(session.dir, /language server ready in (\d+) ms/),
      30_000,
    );
    console.log(
      `extension activation: ${line[1] ?? '?'} ms; language server ready ${server[1] ?? '?'} ms after it was started (code-server)`,
    );
    assert.ok(Number(line[1]) >= 0 && Number(server[1]) >= 0);
  });

  it('colours .l2r syntax with the TextMate grammar', async () => {
    const keyword = session.page.locator('.view-lines span', { hasText: /^stream$/ }).first();
    await keyword.waitFor();
    const colour = await keyword.evaluate(computedColour);
    const plain = await session.page
      .locator('.view-lines span', { hasText: /^tiny$/ })
      .first()
      .evaluate(computedColour);
    assert.notEqual(colour, plain);
  });

  it('runs the tiny stream from the command palette to completion', async () => {
    await session.openFile('tiny.l2r');
    await session.runCommand('L2R: Run Stream');
    const done = session.page.locator('.notifications-toasts', { hasText: 'finished' });
    await done.first().waitFor({ timeout: 120_000 });
    await session.screenshot('run-finished');
    const runsDir = join(session.workspace, '.l2r', 'runs');
    const [run] = await session.waitFor('a completed run folder', () =>
      existsSync(runsDir) ? readdirSync(runsDir) : undefined,
    );
    const meta = JSON.parse(readFileSync(join(runsDir, run ?? '', 'run.json'), 'utf8')) as { status: string };
    assert.equal(meta.status, 'completed');
  });

  it('lists the finished run in the L2R Runs view', async () => {
    await session.page.locator('.activitybar [aria-label^="L2R"]').first().click();
    const row = session.page.locator('.monaco-list-row', { hasText: 'completed' });
    await row.first().waitFor({ timeout: 30_000 });
    assert.match((await row.first().textContent()) ?? '', /wasm/);
    await session.screenshot('runs-view');
  });

  it('shows progress in the status bar, stops a run, and resumes it to completion', async () => {
    await session.openFile('slow.l2r');
    await session.runCommand('L2R: Run Stream');
    const status = session.page.locator('.statusbar-item', { hasText: /L2R (spam|udhr|slow)/ });
    await status.first().waitFor({ timeout: 60_000 });
    await session.screenshot('status-bar-progress');
    await session.runCommand('L2R: Stop Run');
    const runsDir = join(session.workspace, '.l2r', 'runs');
    const slow = await session.waitFor('the run folder', () =>
      existsSync(runsDir) ? readdirSync(runsDir).find((d) => d.endsWith('-slow')) : undefined,
    );
    const meta = (): { status: string } =>
      JSON.parse(readFileSync(join(runsDir, slow, 'run.json'), 'utf8')) as { status: string };
    try {
      // The run folder is the truth: the worker records the stop there before it exits.
      await session.waitFor(
        'the run to stop',
        () => (meta().status === 'cancelled' ? true : undefined),
        60_000,
      );
    } catch (error) {
      await session.screenshot('stop-failed');
      throw new Error(`${String(error)}; run.json says ${meta().status}`);
    }
    await session.runCommand('L2R: Resume Run');
    await session.waitFor(
      'the resumed run to complete',
      () => (meta().status === 'completed' ? true : undefined),
      240_000,
    );
    const state = JSON.parse(readFileSync(join(runsDir, slow, 'state.json'), 'utf8')) as {
      completed: string[];
    };
    assert.ok(state.completed.length >= 3, 'units completed before and after the stop are on disk');
  });

  it('completes a key of the block under the cursor', async () => {
    await session.openFile('tiny.l2r');
    // Line 13 is `    epochs = 2` inside the adapter block: start a new line below it and ask.
    await session.page.locator('.view-lines .view-line', { hasText: 'lr = 3e-3' }).first().click();
    await session.page.keyboard.press('End');
    await session.page.keyboard.press('Enter');
    await session.page.keyboard.type('bott');
    await session.page.keyboard.press('Control+Space');
    const item = session.page.locator('.suggest-widget .monaco-list-row', { hasText: 'bottleneck' });
    await item.first().waitFor({ timeout: 30_000 });
    await session.screenshot('completion');
    await session.page.keyboard.press('Escape');
    await session.runCommand('File: Revert File');
  });

  /** Runs an "Open …" command and picks the tiny run (more than one run exists by now). */
  async function openPanelOnTinyRun(command: string): Promise<ReturnType<typeof activeWebview>> {
    await session.runCommand(command);
    const pick = session.page.locator('.quick-input-list .monaco-list-row', { hasText: '-tiny' });
    await pick.first().waitFor({ timeout: 30_000 });
    await pick.first().click();
    return activeWebview();
  }

  /** The content frame of the webview panel shown last. */
  function activeWebview() {
    return session.page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
  }

  it('opens the Results panel on the finished run and shows its numbers', async () => {
    const frame = await openPanelOnTinyRun('L2R: Open Results');
    const row = frame.locator('table.comparison tbody tr', { hasText: 'l2r-wavg' }).first();
    await row.waitFor({ timeout: 60_000 });
    const value = (await row.locator('td').first().textContent())?.trim() ?? '';
    assert.match(value, /^\d+\.\d$/);
    await session.screenshot('results-panel');
  });

  it('opens the Progress panel and reads the last epoch’s loss', async () => {
    const frame = await openPanelOnTinyRun('L2R: Open Progress');
    const loss = frame.locator('table.epochs tbody tr').last().locator('td').nth(5);
    await loss.waitFor({ timeout: 60_000 });
    assert.match((await loss.textContent())?.trim() ?? '', /^\d+\.\d+$/);
    await session.screenshot('progress-panel');
  });

  it('opens the Memory panel and reads how many examples it holds', async () => {
    const frame = await openPanelOnTinyRun('L2R: Open Memory');
    const count = frame.locator('.count');
    await count.waitFor({ timeout: 60_000 });
    assert.match((await count.textContent())?.trim() ?? '', /^[1-9]\d* shown$/);
    await session.screenshot('memory-panel');
  });

  it('opens the Router Composition panel and reads a mean routing score', async () => {
    const frame = await openPanelOnTinyRun('L2R: Open Router Composition');
    const cell = frame
      .getByRole('table', { name: /Mean routing score, layer 1/ })
      .locator('tbody td')
      .first();
    await cell.waitFor({ timeout: 60_000 });
    assert.match((await cell.textContent())?.trim() ?? '', /^[01]\.\d\d$/);
    await session.screenshot('router-panel');
  });
});

/** The first match of `pattern` in any .log file under `dir` (the extension's LogOutputChannel writes one). */
function findInFiles(dir: string, pattern: RegExp): RegExpMatchArray | undefined {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const info = statSync(path, { throwIfNoEntry: false });
    if (info === undefined) continue;
    if (info.isDirectory()) {
      if (name === 'node_modules' || name === 'extensions' || name === 'workspace') continue;
      const found = findInFiles(path, pattern);
      if (found !== undefined) return found;
    } else if (name.endsWith('.log')) {
      const match = pattern.exec(readFileSync(path, 'utf8'));
      if (match !== null) return match;
    }
  }
  return undefined;
}
