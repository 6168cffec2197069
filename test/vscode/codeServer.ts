import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, watch, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** Runs the idempotent setup and returns the installed tools (fails loudly, never skips). */
export function setupTools(): { codeServer: string; chromium: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'e2e', 'setup.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0)
    throw new Error(
      'e2e setup failed (see its message above): code-server and chromium are needed for this tier',
    );
  const last = r.stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as { codeServer: string; chromium: string };
}

/**
 * Resolves when `condition` holds, re-checking it whenever something under `dir` changes (fs.watch),
 * never on a timer: a wait on a condition. The deadline only turns a hang into a clear failure.
 */
export function waitForFiles<T>(
  what: string,
  dir: string,
  condition: () => T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (): void => {
      settled = true;
      watcher.close();
      clearTimeout(deadline);
    };
    const check = (): void => {
      if (settled) return;
      let value: T | undefined | false;
      try {
        value = condition();
      } catch {
        return; // a file caught mid-write: the next change event checks again
      }
      if (value !== undefined && value !== false) {
        finish();
        resolve(value);
      }
    };
    const watcher = watch(dir, { recursive: true }, check);
    const deadline = setTimeout(() => {
      if (settled) return;
      finish();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    check();
  });
}

/** Resolves when a process prints a line matching `pattern` (its own announcement that it is ready). */
function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) done(() => resolve());
    };
    const onExit = (code: number | null): void =>
      done(() =>
        reject(new Error(`${what}: the process exited (code ${code ?? '?'}) first:\n${seen.slice(-2000)}`)),
      );
    const deadline = setTimeout(
      () => done(() => reject(new Error(`timed out waiting for ${what}:\n${seen.slice(-2000)}`))),
      timeoutMs,
    );
    const done = (settle: () => void): void => {
      clearTimeout(deadline);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      settle();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface SessionOptions {
  /** Install this packaged extension (the UI suite), or ... */
  readonly vsix?: string;
  /** ... load the extension from a folder and run a mocha `run()` bundle in its extension host
   * (the test-electron contract, through the workbench's `payload` URL parameter). */
  readonly extensionTests?: { readonly developmentPath: string; readonly testsPath: string };
  /** Leave Workspace Trust on, so the workspace opens in Restricted Mode. */
  readonly restricted?: boolean;
}

/** A code-server with our extension, an isolated HOME, and a browser page on a workspace. */
export class CodeServerSession {
  private server: ChildProcess | undefined;
  private browser: Browser | undefined;
  page!: Page;
  readonly dir = mkdtempSync(join(tmpdir(), 'l2r-vscode-'));
  readonly workspace = join(this.dir, 'workspace');
  private log = '';

  /** Resolves with the exit code the extension tests report through `codeAutomationExit`. */
  testsExited: Promise<number> = new Promise(() => undefined);

  async start(
    tools: { codeServer: string; chromium: string },
    files: Record<string, string>,
    options: SessionOptions,
  ): Promise<void> {
    const env = {
      ...process.env,
      HOME: join(this.dir, 'home'),
      XDG_CONFIG_HOME: join(this.dir, 'xdg-config'),
      XDG_DATA_HOME: join(this.dir, 'xdg-data'),
      XDG_CACHE_HOME: join(this.dir, 'xdg-cache'),
    };
    for (const d of [env.HOME, env.XDG_CONFIG_HOME, env.XDG_DATA_HOME, env.XDG_CACHE_HOME, this.workspace])
      mkdirSync(d, { recursive: true });
    cpSync(join(repoRoot, 'examples', 'data'), join(this.workspace, 'data'), { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(this.workspace, name), content);
    const common = [
      '--user-data-dir',
      join(this.dir, 'user-data'),
      '--extensions-dir',
      join(this.dir, 'extensions'),
    ];
    if (options.vsix !== undefined) {
      const install = spawnSync(tools.codeServer, [...common, '--install-extension', options.vsix], {
        env,
        encoding: 'utf8',
      });
      if (install.status !== 0)
        throw new Error(`installing the .vsix failed: ${install.stderr}${install.stdout}`);
    }
    if (options.restricted === true) {
      // Restricted Mode without the startup dialog: the workspace simply stays untrusted.
      mkdirSync(join(this.dir, 'user-data', 'User'), { recursive: true });
      writeFileSync(
        join(this.dir, 'user-data', 'User', 'settings.json'),
        JSON.stringify({ 'security.workspace.trust.startupPrompt': 'never' }),
      );
    }
    const port = await freePort();
    this.server = spawn(
      tools.codeServer,
      [
        ...common,
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        ...(options.restricted === true ? [] : ['--disable-workspace-trust']),
        this.workspace,
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.server.stdout?.on('data', (c: Buffer) => (this.log += c.toString()));
    this.server.stderr?.on('data', (c: Buffer) => (this.log += c.toString()));
    await waitForOutput(this.server, /HTTP server listening/, 'code-server to listen');
    this.browser = await chromium.launch({
      executablePath: tools.chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
    this.page = await this.browser.newPage({ viewport: { width: 1400, height: 900 } });
    let url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(this.workspace)}`;
    const tests = options.extensionTests;
    if (tests !== undefined) {
      let exited: (code: number) => void = () => undefined;
      this.testsExited = new Promise((resolve) => (exited = resolve));
      await this.page.exposeFunction('codeAutomationExit', (code: number) => exited(code));
      // The extension host reports to the page's console: keep it for the failure message.
      this.page.on('console', (m) => (this.log += `[page] ${m.text()}\n`));
      const remote = (path: string): string => `vscode-remote://127.0.0.1:${port}${path}`;
      const payload = [
        ['extensionDevelopmentPath', remote(tests.developmentPath)],
        ['extensionTestsPath', remote(tests.testsPath)],
      ];
      url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    }
    await this.page.goto(url);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  }

  /** Waits on a condition about this session's files (run folders, logs), re-checked as they change. */
  waitFor<T>(what: string, condition: () => T | undefined | false, timeoutMs?: number): Promise<T> {
    return waitForFiles(what, this.dir, condition, timeoutMs);
  }

  /** Opens a workspace file from the Explorer (no dependency on file search). */
  async openFile(name: string): Promise<void> {
    const row = this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${name}"]`).first();
    // The activity bar item toggles the side bar: click it only when the Explorer is not showing.
    if (!(await this.page.locator('.explorer-folders-view').first().isVisible())) {
      await this.page.locator('.activitybar [aria-label^="Explorer"]').first().click();
    }
    try {
      await row.waitFor();
    } catch (error) {
      await this.screenshot(`open-${name}-failed`);
      throw error;
    }
    await row.click();
    await this.page.locator(`.tabs-container .tab[aria-label*="${name}"]`).first().waitFor();
  }

  /** Runs a command by its palette title (clicking that exact entry: Enter would take the top one, maybe a recently used other). */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.page.keyboard.type(title);
    const entry = this.page.locator('.quick-input-list .monaco-list-row .label-name', {
      hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    });
    await entry.first().waitFor();
    await entry.first().click();
  }

  async screenshot(name: string): Promise<void> {
    const dir = join(repoRoot, 'test-artifacts', 'vscode');
    mkdirSync(dir, { recursive: true });
    await this.page.screenshot({ path: join(dir, `${name}.png`) });
  }

  get serverLog(): string {
    return this.log;
  }

  async dispose(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    if (this.server?.pid !== undefined) {
      try {
        process.kill(this.server.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Packages the extension once per test run (or uses L2R_VSIX). */
export function packagedVsix(): string {
  if (process.env.L2R_VSIX !== undefined) return process.env.L2R_VSIX;
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`packaging failed:\n${r.stdout}\n${r.stderr}`);
  const match = /^(\S+\.vsix):/m.exec(r.stdout);
  if (match?.[1] === undefined) throw new Error(`no .vsix in the package output:\n${r.stdout}`);
  return match[1];
}
