// The extension-host suite in a trusted workspace holding tiny.l2r, broken.l2r, slow.l2r and data/
// (written by ../host.test.ts). Real `vscode` API, the extension as developed (dist/), one real
// training worker per run.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { L2rApi } from '../../../src/extension/api';
import type { RunEvent } from '../../../src/protocol/events';
import { runSuite } from './runner';
import { waitFor } from './wait';

const EXTENSION_ID = 'l2r-studio.l2r-studio';

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder !== undefined, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

/** Every event the host received for one run, gathered from the moment the listener is set. */
function recordEvents(api: L2rApi): { events: Map<string, RunEvent[]>; dispose(): void } {
  const events = new Map<string, RunEvent[]>();
  const subscription = api.onDidReceiveRunEvent(({ runDir, event }) => {
    const list = events.get(runDir) ?? [];
    list.push(event);
    events.set(runDir, list);
  });
  return {
    events,
    dispose: () => {
      subscription.dispose();
    },
  };
}

function status(api: L2rApi, runDir: string): string | undefined {
  return api.runs().find((r) => r.dir === runDir)?.status;
}

function untilStatus(api: L2rApi, runDir: string, wanted: string, timeoutMs = 180_000): Promise<true> {
  return waitFor(
    `run ${runDir} to be ${wanted}`,
    [api.onDidChangeRuns, api.onDidReceiveRunEvent],
    () => {
      const now = status(api, runDir);
      if (now === 'failed' && wanted !== 'failed') throw new Error(`run ${runDir} failed`);
      return now === wanted ? true : undefined;
    },
    timeoutMs,
  );
}

function define(): void {
  let api: L2rApi;
  let tinyRun = '';
  const recorder: { events: Map<string, RunEvent[]>; dispose(): void }[] = [];

  after(() => recorder.forEach((r) => r.dispose()));

  describe('activation', () => {
    it('activates when a .l2r file opens (no command run) and returns its API', async () => {
      const extension = vscode.extensions.getExtension<L2rApi>(EXTENSION_ID);
      assert.ok(extension !== undefined, `${EXTENSION_ID} is installed`);
      const uri = workspaceFile('broken.l2r');
      await vscode.window.showTextDocument(uri);
      // Diagnostics come from the language server the extension starts on activation.
      await waitFor('diagnostics', [vscode.languages.onDidChangeDiagnostics], () =>
        vscode.languages.getDiagnostics(uri).length > 0 ? true : undefined,
      );
      // activate() joins the activation the file triggered (it is still finishing its own start).
      api = await extension.activate();
      assert.equal(extension.isActive, true);
      assert.equal(api.apiVersion, 1);
      recorder.push(recordEvents(api));
    });

    it('registers every command the manifest contributes', async () => {
      const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
        contributes: { commands: { command: string }[] };
      };
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
      assert.deepEqual(missing, []);
    });
  });

  describe('language features from the language server', () => {
    it('publishes a diagnostic with a did-you-mean for a misspelt key', async () => {
      const uri = workspaceFile('broken.l2r');
      await vscode.workspace.openTextDocument(uri);
      const diagnostic = await waitFor('the diagnostic', [vscode.languages.onDidChangeDiagnostics], () =>
        vscode.languages.getDiagnostics(uri).find((d) => d.message.includes("Unknown key 'epocsh'")),
      );
      assert.match(diagnostic.message, /did you mean 'epochs'/);
      assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    });

    it('Validate Stream counts the errors of the active file', async () => {
      await vscode.window.showTextDocument(workspaceFile('broken.l2r'));
      assert.ok(((await vscode.commands.executeCommand<number>('l2r.validateStream')) ?? 0) > 0);
      await vscode.window.showTextDocument(workspaceFile('tiny.l2r'));
      assert.equal(await vscode.commands.executeCommand<number>('l2r.validateStream'), 0);
    });

    it('New Stream From Example writes the example and its data into the workspace', async () => {
      const written = await vscode.commands.executeCommand<string>(
        'l2r.newStreamFromExample',
        'hashed-languages.l2r',
      );
      assert.equal(written, workspaceFile('hashed-languages.l2r').fsPath);
      assert.ok(existsSync(written));
      assert.match(readFileSync(written, 'utf8'), /stream /);
    });
  });

  describe('runs', () => {
    it('Run Stream trains the tiny stream to completion, with progress events on the way', async () => {
      const runDir = await vscode.commands.executeCommand<string>('l2r.runStream', workspaceFile('tiny.l2r'));
      assert.ok(typeof runDir === 'string' && runDir.includes('-tiny'), `run folder: ${String(runDir)}`);
      tinyRun = runDir;
      await untilStatus(api, runDir, 'completed');
      const events = recorder[0]?.events.get(runDir) ?? [];
      const types = new Set(events.map((e) => e.type));
      for (const t of ['run-started', 'phase', 'progress', 'epoch-end', 'metrics', 'run-completed'])
        assert.ok(types.has(t as RunEvent['type']), `saw a ${t} event`);
      const meta = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { status: string };
      assert.equal(meta.status, 'completed');
    });

    it('lists the run in the Runs view under its stream, with status, backend and CIL', async () => {
      const rows = await waitFor('the Runs view to show the run', [api.onDidChangeRuns], () => {
        const stream = api.runsView().find((r) => r.label === 'tiny');
        return stream?.children.some((c) => c.description.startsWith('completed')) === true
          ? stream
          : undefined;
      });
      const run = rows.children.find((c) => c.description.startsWith('completed'));
      assert.match(run?.description ?? '', /^completed · wasm · CIL \d+\.\d% · TIL \d+\.\d%$/);
      assert.equal(run?.contextValue, 'l2r.run.completed');
    });

    it('shows Run, Run with options and the last result above the stream', async () => {
      const titles = (
        (await vscode.commands.executeCommand<vscode.CodeLens[]>(
          'vscode.executeCodeLensProvider',
          workspaceFile('tiny.l2r'),
          10,
        )) ?? []
      ).map((l) => l.command?.title ?? '');
      assert.ok(titles.includes('$(play) Run'), `lenses: ${titles.join(', ')}`);
      assert.ok(titles.includes('Run with options…'), `lenses: ${titles.join(', ')}`);
      assert.ok(
        titles.some((t) => /^Last run: \d+\.\d% CIL$/.test(t)),
        `lenses: ${titles.join(', ')}`,
      );
    });

    it('opens each panel on the run', async () => {
      for (const [command, kind] of [
        ['l2r.openProgress', 'progress'],
        ['l2r.openMemory', 'memory'],
        ['l2r.openRouter', 'router'],
        ['l2r.openResults', 'results'],
      ] as const) {
        await vscode.commands.executeCommand(command, tinyRun);
        assert.ok(api.openPanels().includes(kind), `${kind} panel is open`);
      }
    });

    it('Run With Options runs on the chosen backend (options passed, no pickers)', async () => {
      const runDir = await vscode.commands.executeCommand<string>(
        'l2r.runWithOptions',
        workspaceFile('tiny.l2r'),
        undefined,
        { backend: 'cpu', seeds: [1] },
      );
      assert.ok(typeof runDir === 'string');
      await untilStatus(api, runDir, 'completed');
      assert.equal(api.runs().find((r) => r.dir === runDir)?.backend, 'cpu');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await waitFor('every panel to close', [vscode.window.tabGroups.onDidChangeTabs], () =>
        api.openPanels().length === 0 ? true : undefined,
      );
      await vscode.commands.executeCommand('l2r.compareRuns', [tinyRun, runDir]);
      assert.deepEqual(api.openPanels(), ['results'], 'Compare Runs opened Results');
    });

    it('stops a run part-way and resumes it from its checkpoint to completion', async () => {
      const runDir = await vscode.commands.executeCommand<string>('l2r.runStream', workspaceFile('slow.l2r'));
      assert.ok(typeof runDir === 'string');
      const events = (): RunEvent[] => recorder[0]?.events.get(runDir) ?? [];
      await waitFor('the first epoch to end', [api.onDidReceiveRunEvent], () =>
        events().some((e) => e.type === 'epoch-end') ? true : undefined,
      );
      await vscode.commands.executeCommand('l2r.stopRun', runDir);
      await untilStatus(api, runDir, 'cancelled');
      const before = events().filter((e) => e.type === 'epoch-end').length;
      assert.ok(before >= 1);

      await vscode.commands.executeCommand('l2r.resumeRun', runDir);
      await untilStatus(api, runDir, 'completed');
      const resumed = events().slice(events().findIndex((e) => e.type === 'run-started' && e.resumed));
      const started = resumed[0];
      assert.ok(started?.type === 'run-started' && started.resumed, 'a resumed run-started event');
      const firstEpoch = resumed.find((e) => e.type === 'epoch-end');
      assert.ok(firstEpoch?.type === 'epoch-end');
      // Epoch-level resume: the first adapter's first epoch is not trained again.
      assert.ok(
        firstEpoch.task !== 'spam' || firstEpoch.epoch > 1 || firstEpoch.phase !== 'adapter',
        `resumed at ${firstEpoch.phase} ${firstEpoch.task ?? ''} epoch ${firstEpoch.epoch}`,
      );
    });

    it('shows a run whose window went away as interrupted, and resumes it', async () => {
      // What a reload leaves behind: run.json still says running, and its worker (which exits with
      // its window) is gone. Simulated with a copy of the finished run and a PID no process has.
      const orphan = `${tinyRun}-orphan`;
      cpSync(tinyRun, orphan, { recursive: true });
      const metaPath = join(orphan, 'run.json');
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Record<string, unknown>;
      writeFileSync(
        metaPath,
        JSON.stringify({
          ...meta,
          runId: `${String(meta.runId)}-orphan`,
          status: 'running',
          pid: 2 ** 22 + 1,
        }),
      );
      await vscode.commands.executeCommand('l2r.refreshRuns');
      await untilStatus(api, orphan, 'interrupted', 30_000);
      const row = api
        .runsView()
        .flatMap((r) => r.children)
        .find((c) => c.contextValue === 'l2r.run.interrupted');
      assert.ok(row !== undefined, 'the Runs view offers the interrupted run (with its Resume action)');
      await vscode.commands.executeCommand('l2r.resumeRun', orphan);
      await untilStatus(api, orphan, 'completed');
    });

    it('Delete Run removes a finished run folder and its row (confirmation given by the caller)', async () => {
      const orphan = `${tinyRun}-orphan`;
      assert.equal(await vscode.commands.executeCommand('l2r.deleteRun', orphan, { confirmed: true }), true);
      assert.equal(existsSync(orphan), false);
      await waitFor('the run to leave the store', [api.onDidChangeRuns], () =>
        api.runs().some((r) => r.dir === orphan) ? undefined : true,
      );
      assert.ok(
        api.runs().some((r) => r.dir === tinyRun),
        'other runs stay',
      );
    });
  });
}

export function run(): Promise<void> {
  return runSuite('trusted', define);
}
