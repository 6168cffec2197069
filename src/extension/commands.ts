import { cp, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { PanelKind } from '../protocol/webview';
import type { BackendPreference, ExperimentSpec } from '../protocol/spec';
import type { Ctx } from './ctx';
import { runDirOf } from './runs/runsTree';
import type { RunInfo } from './runs/runStore';
import type { CommandId } from './commandMeta';

/** What each command does; titles, icons and palette visibility live in ./commandMeta. */
export interface CommandSpec {
  readonly id: CommandId;
  readonly run: (ctx: Ctx, ...args: unknown[]) => unknown;
}

export const commands: readonly CommandSpec[] = [
  { id: 'l2r.runStream', run: (ctx, uri, stream) => runStream(ctx, uri, stream, false) },
  {
    id: 'l2r.runWithOptions',
    run: (ctx, uri, stream, options) =>
      runStream(
        ctx,
        uri,
        stream,
        typeof options === 'object' && options !== null ? (options as RunOptionsArg) : true,
      ),
  },
  { id: 'l2r.stopRun', run: stopRun },
  { id: 'l2r.resumeRun', run: resumeRun },
  { id: 'l2r.openProgress', run: (ctx, arg) => openPanel(ctx, 'progress', arg) },
  { id: 'l2r.openMemory', run: (ctx, arg) => openPanel(ctx, 'memory', arg) },
  { id: 'l2r.openRouter', run: (ctx, arg) => openPanel(ctx, 'router', arg) },
  { id: 'l2r.openResults', run: (ctx, arg) => openPanel(ctx, 'results', arg) },
  { id: 'l2r.compareRuns', run: compareRuns },
  { id: 'l2r.validateStream', run: validateStream },
  { id: 'l2r.newStreamFromExample', run: newStreamFromExample },
  { id: 'l2r.revealRunFolder', run: revealRunFolder },
  { id: 'l2r.deleteRun', run: deleteRun },
  { id: 'l2r.showLogs', run: (ctx) => ctx.log.channel.show(true) },
  { id: 'l2r.refreshRuns', run: (ctx) => ctx.runStore.refreshAll() },
];

export function registerCommands(ctx: Ctx): void {
  for (const command of commands) {
    ctx.push(
      vscode.commands.registerCommand(command.id, async (...args: unknown[]) => {
        try {
          return await command.run(ctx, ...args);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          ctx.log.error(`${command.id}: ${message}`);
          void vscode.window.showErrorMessage(message, 'Show Logs').then((choice) => {
            if (choice === 'Show Logs') ctx.log.channel.show(true);
          });
          return undefined;
        }
      }),
    );
  }
}

const UNTRUSTED_MESSAGE =
  'Runs are disabled in Restricted Mode: a run starts a training process that reads this workspace’s data files. Trust the workspace to run streams; editing and validation keep working.';

/**
 * Refuses, with the reason and the way out, when the workspace is not trusted. The command ends
 * at once; the message stays up with its action.
 */
function requireTrust(ctx: Ctx): boolean {
  if (vscode.workspace.isTrusted) return true;
  ctx.log.warn(UNTRUSTED_MESSAGE);
  void vscode.window.showErrorMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((choice) => {
    if (choice === 'Manage Workspace Trust') void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}

async function pickStreamDocument(arg: unknown): Promise<vscode.TextDocument | undefined> {
  if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === 'l2r') return active;
  const files = await vscode.workspace.findFiles('**/*.l2r', '**/{node_modules,.l2r}/**', 200);
  if (files.length === 0) {
    void vscode.window.showWarningMessage(
      'No .l2r stream file in this workspace. Use "L2R: New Stream From Example" to create one.',
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({
      label: basename(uri.fsPath),
      description: vscode.workspace.asRelativePath(uri),
      uri,
    })),
    { title: 'Run which stream?' },
  );
  return picked === undefined ? undefined : vscode.workspace.openTextDocument(picked.uri);
}

async function resolveSpec(
  ctx: Ctx,
  document: vscode.TextDocument,
  stream: string | undefined,
): Promise<ExperimentSpec | undefined> {
  if (document.isDirty) await document.save();
  const result = await ctx.requireLanguage().experimentSpec(document.uri, stream);
  if (result.ok) return result.spec;
  const first = result.problems[0];
  const where = first !== undefined ? ` First: line ${first.line + 1}: ${first.message}` : '';
  const choice = await vscode.window.showErrorMessage(
    `${basename(document.uri.fsPath)} has ${result.problems.length} error(s) to fix before it can run.${where}`,
    'Show Problems',
  );
  if (choice === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
  return undefined;
}

/** Options of Run With Options; passed as the third argument, they skip the pickers. */
interface RunOptionsArg {
  readonly backend?: BackendPreference;
  readonly seeds?: number[];
}

async function runStream(
  ctx: Ctx,
  uriArg: unknown,
  streamArg: unknown,
  withOptions: boolean | RunOptionsArg,
): Promise<string | undefined> {
  if (!requireTrust(ctx)) return undefined;
  const document = await pickStreamDocument(uriArg);
  if (document === undefined) return undefined;
  const spec = await resolveSpec(ctx, document, typeof streamArg === 'string' ? streamArg : undefined);
  if (spec === undefined) return undefined;
  let backend: BackendPreference | undefined;
  let seeds: number[] | undefined;
  if (typeof withOptions === 'object') {
    ({ backend, seeds } = withOptions);
    const unknown = seeds?.filter((s) => !spec.seeds.includes(s)) ?? [];
    if (unknown.length > 0)
      throw new Error(
        `Seeds ${unknown.join(', ')} are not seeds of ${spec.name} (${spec.seeds.join(', ')}).`,
      );
  } else if (withOptions) {
    const options = await askRunOptions(spec);
    if (options === undefined) return undefined;
    ({ backend, seeds } = options);
  }
  const runDir = await ctx.runManager.start(spec, { backend, seeds });
  ctx.showRunProgress(runDir, spec.name);
  return runDir;
}

async function askRunOptions(
  spec: ExperimentSpec,
): Promise<{ backend: BackendPreference; seeds: number[] } | undefined> {
  const backends: { label: BackendPreference; description: string }[] = [
    { label: 'auto', description: 'gpu → node → wasm → cpu, the first that loads' },
    { label: 'gpu', description: '@tensorflow/tfjs-node-gpu (CUDA 11.2, cuDNN 8.1)' },
    { label: 'node', description: '@tensorflow/tfjs-node (native libtensorflow)' },
    { label: 'wasm', description: 'WebAssembly SIMD, one core per run' },
    { label: 'cpu', description: 'plain JavaScript (slowest, always works)' },
  ];
  const backend = await vscode.window.showQuickPick(backends, {
    title: 'Run with options (1/2): compute backend',
  });
  if (backend === undefined) return undefined;
  const seedItems = spec.seeds.map((seed) => ({ label: String(seed), picked: true, seed }));
  const picked = await vscode.window.showQuickPick(seedItems, {
    title: 'Run with options (2/2): seeds',
    canPickMany: true,
  });
  if (picked === undefined || picked.length === 0) return undefined;
  return { backend: backend.label, seeds: picked.map((p) => p.seed) };
}

async function pickRun(
  ctx: Ctx,
  arg: unknown,
  title: string,
  filter: (r: RunInfo) => boolean,
): Promise<string | undefined> {
  const direct = runDirOf(arg);
  if (direct !== undefined) return direct;
  const runs = ctx.runStore.list().filter(filter);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('No matching run. Start one with "L2R: Run Stream".');
    return undefined;
  }
  if (runs.length === 1) return runs[0]?.dir;
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({
      label: basename(r.dir),
      description: `${r.status} · ${r.meta.backend}`,
      detail: r.dir,
      dir: r.dir,
    })),
    { title },
  );
  return picked?.dir;
}

async function stopRun(ctx: Ctx, arg: unknown): Promise<void> {
  // Live runs come from the run manager itself: a run that just started may not be in the store yet.
  const live = ctx.runManager.live();
  let runDir = runDirOf(arg);
  if (runDir === undefined) {
    if (live.length === 0) {
      void vscode.window.showInformationMessage('No run is training in this window.');
      return;
    }
    runDir =
      live.length === 1
        ? live[0]?.runDir
        : (
            await vscode.window.showQuickPick(
              live.map((r) => ({ label: basename(r.runDir), description: r.stream, dir: r.runDir })),
              { title: 'Stop which run?' },
            )
          )?.dir;
  }
  if (runDir === undefined) return;
  if (!ctx.runManager.stop(runDir))
    void vscode.window.showInformationMessage('That run is not running in this window.');
}

async function resumeRun(ctx: Ctx, arg: unknown): Promise<void> {
  if (!requireTrust(ctx)) return;
  const runDir = await pickRun(
    ctx,
    arg,
    'Resume which run?',
    (r) =>
      !ctx.runManager.isLive(r.dir) &&
      (r.status === 'interrupted' || r.status === 'failed' || r.status === 'cancelled'),
  );
  if (runDir === undefined) return;
  await ctx.runManager.resume(runDir);
  ctx.showRunProgress(runDir, ctx.runStore.get(runDir)?.meta.stream ?? basename(runDir));
}

async function openPanel(ctx: Ctx, kind: PanelKind, arg: unknown): Promise<void> {
  const runDir = await pickRun(ctx, arg, `Open ${kind} for which run?`, () => true);
  if (runDir !== undefined) ctx.panels.open(kind, [runDir]);
}

/** Opens Results on two or more completed runs: the ones passed (run folders), or picked. */
async function compareRuns(ctx: Ctx, dirs?: unknown): Promise<void> {
  if (Array.isArray(dirs) && dirs.length >= 2 && dirs.every((d) => typeof d === 'string')) {
    ctx.panels.open('results', dirs as string[]);
    return;
  }
  const runs = ctx.runStore.list().filter((r) => r.status === 'completed');
  if (runs.length < 2) {
    void vscode.window.showInformationMessage('Comparing needs at least two completed runs.');
    return;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: basename(r.dir), description: r.meta.stream, dir: r.dir })),
    { title: 'Compare which runs? (two or more)', canPickMany: true },
  );
  if (picked === undefined || picked.length < 2) return;
  ctx.panels.open(
    'results',
    picked.map((p) => p.dir),
  );
}

/** Validates the active stream file; resolves to its number of errors (undefined: no stream open). */
async function validateStream(ctx: Ctx): Promise<number | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId !== 'l2r') {
    void vscode.window.showWarningMessage('Open a .l2r stream file to validate it.');
    return undefined;
  }
  const result = await ctx.requireLanguage().experimentSpec(editor.document.uri);
  const warnings = vscode.languages
    .getDiagnostics(editor.document.uri)
    .filter((d) => d.severity === vscode.DiagnosticSeverity.Warning).length;
  if (result.ok) {
    const s = result.spec;
    void vscode.window.showInformationMessage(
      `${s.name}: valid — ${s.tasks.length} tasks, ${s.orders.length} order(s), ${s.seeds.length} seed(s)${warnings > 0 ? `, ${warnings} warning(s)` : ''}.`,
    );
    return 0;
  } else {
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    void vscode.window.showErrorMessage(
      `${result.problems.length} error(s) in ${basename(editor.document.uri.fsPath)}.`,
    );
    return result.problems.length;
  }
}

/** Writes an example stream and its data into the first workspace folder; `name` skips the pick. */
async function newStreamFromExample(ctx: Ctx, name?: unknown): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder === undefined) {
    void vscode.window.showWarningMessage(
      'Open a folder first: the example and its data are written into it.',
    );
    return undefined;
  }
  const examples = vscode.Uri.joinPath(ctx.extension.extensionUri, 'examples').fsPath;
  const names = (await readdir(examples, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith('.l2r'))
    .map((e) => e.name)
    .sort();
  const picked =
    typeof name === 'string' && names.includes(name)
      ? name
      : await vscode.window.showQuickPick(names, { title: 'Which example stream?' });
  if (picked === undefined) return undefined;
  const target = join(folder.uri.fsPath, picked);
  await cp(join(examples, picked), target, { force: false, errorOnExist: false });
  await cp(join(examples, 'data'), join(folder.uri.fsPath, 'data'), {
    recursive: true,
    force: false,
    errorOnExist: false,
  });
  await vscode.window.showTextDocument(vscode.Uri.file(target));
  ctx.log.info(`wrote example ${picked} and its data into ${folder.uri.fsPath}`);
  return target;
}

async function revealRunFolder(ctx: Ctx, arg: unknown): Promise<void> {
  const runDir = await pickRun(ctx, arg, 'Reveal which run?', () => true);
  if (runDir !== undefined) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(runDir));
}

/**
 * Deletes a run folder after a modal confirmation. Callers that already asked (another extension,
 * a script) pass `{ confirmed: true }` as the second argument. Resolves to whether it deleted.
 */
async function deleteRun(ctx: Ctx, arg: unknown, options?: unknown): Promise<boolean> {
  const runDir = await pickRun(ctx, arg, 'Delete which run?', (r) => !ctx.runManager.isLive(r.dir));
  if (runDir === undefined) return false;
  if (ctx.runManager.isLive(runDir)) {
    void vscode.window.showWarningMessage('Stop the run before deleting it.');
    return false;
  }
  const confirmed =
    typeof options === 'object' &&
    options !== null &&
    (options as { confirmed?: unknown }).confirmed === true;
  if (!confirmed) {
    const choice = await vscode.window.showWarningMessage(
      `Delete the run folder ${basename(runDir)} and everything in it (weights, metrics, logs)?`,
      { modal: true },
      'Delete',
    );
    if (choice !== 'Delete') return false;
  }
  await rm(runDir, { recursive: true, force: true });
  ctx.runStore.forget(runDir);
  return true;
}
