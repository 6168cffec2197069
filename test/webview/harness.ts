import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type { HostToWebviewMessage } from '../../src/protocol/webview';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** Debian's chromium, installed by the e2e setup when missing (fails loudly, never skips). */
export function chromiumPath(): string {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'e2e', 'setup.mjs'), '--chromium-only'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0)
    throw new Error('chromium is needed for the panel tests; the setup step failed (see above)');
  const last = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { chromium?: string };
  if (last.chromium === undefined) throw new Error('setup did not report a chromium path');
  return last.chromium;
}

const themes = {
  light: {
    '--vscode-foreground': '#1f1f1f',
    '--vscode-editor-background': '#ffffff',
    '--vscode-charts-blue': '#1a85ff',
    '--vscode-charts-purple': '#652d90',
    '--vscode-charts-green': '#388a34',
    '--vscode-button-background': '#005fb8',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-descriptionForeground': '#616161',
    '--vscode-panel-border': '#e5e5e5',
    '--vscode-editorWidget-background': '#f8f8f8',
    '--vscode-dropdown-background': '#ffffff',
    '--vscode-dropdown-foreground': '#3b3b3b',
    '--vscode-dropdown-border': '#cecece',
    '--vscode-input-background': '#ffffff',
    '--vscode-input-foreground': '#3b3b3b',
    '--vscode-input-border': '#cecece',
    '--vscode-input-placeholderForeground': '#767676',
    '--vscode-settings-dropdownBackground': '#ffffff',
    '--vscode-settings-dropdownForeground': '#3b3b3b',
    '--vscode-settings-dropdownBorder': '#cecece',
    '--vscode-settings-dropdownListBorder': '#cecece',
    '--vscode-settings-textInputBackground': '#ffffff',
    '--vscode-settings-textInputForeground': '#3b3b3b',
    '--vscode-settings-textInputBorder': '#cecece',
    '--vscode-list-activeSelectionBackground': '#e8e8e8',
    '--vscode-list-activeSelectionForeground': '#000000',
    '--vscode-focusBorder': '#005fb8',
  },
  dark: {
    '--vscode-foreground': '#cccccc',
    '--vscode-editor-background': '#1f1f1f',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-purple': '#b180d7',
    '--vscode-charts-green': '#89d185',
    '--vscode-button-background': '#0078d4',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-panel-border': '#2b2b2b',
    '--vscode-editorWidget-background': '#202020',
    '--vscode-dropdown-background': '#313131',
    '--vscode-dropdown-foreground': '#cccccc',
    '--vscode-dropdown-border': '#3c3c3c',
    '--vscode-input-background': '#313131',
    '--vscode-input-foreground': '#cccccc',
    '--vscode-input-border': '#3c3c3c',
    '--vscode-input-placeholderForeground': '#989898',
    '--vscode-settings-dropdownBackground': '#313131',
    '--vscode-settings-dropdownForeground': '#cccccc',
    '--vscode-settings-dropdownBorder': '#3c3c3c',
    '--vscode-settings-dropdownListBorder': '#3c3c3c',
    '--vscode-settings-textInputBackground': '#313131',
    '--vscode-settings-textInputForeground': '#cccccc',
    '--vscode-settings-textInputBorder': '#3c3c3c',
    '--vscode-list-activeSelectionBackground': '#04395e',
    '--vscode-list-activeSelectionForeground': '#ffffff',
    '--vscode-focusBorder': '#0078d4',
  },
  // VS Code's "Dark High Contrast" values for the variables the panels use.
  'high-contrast': {
    '--vscode-foreground': '#ffffff',
    '--vscode-editor-background': '#000000',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-purple': '#b180d7',
    '--vscode-charts-green': '#89d185',
    '--vscode-button-background': '#000000',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-border': '#6fc3df',
    '--vscode-descriptionForeground': '#ffffff',
    '--vscode-panel-border': '#6fc3df',
    '--vscode-editorWidget-background': '#0c141f',
    '--vscode-dropdown-background': '#000000',
    '--vscode-dropdown-foreground': '#ffffff',
    '--vscode-dropdown-border': '#6fc3df',
    '--vscode-input-background': '#000000',
    '--vscode-input-foreground': '#ffffff',
    '--vscode-input-border': '#6fc3df',
    '--vscode-input-placeholderForeground': '#ffffffb3',
    '--vscode-settings-dropdownBackground': '#000000',
    '--vscode-settings-dropdownForeground': '#ffffff',
    '--vscode-settings-dropdownBorder': '#6fc3df',
    '--vscode-settings-dropdownListBorder': '#6fc3df',
    '--vscode-settings-textInputBackground': '#000000',
    '--vscode-settings-textInputForeground': '#ffffff',
    '--vscode-settings-textInputBorder': '#6fc3df',
    '--vscode-focusBorder': '#f38518',
    '--vscode-contrastBorder': '#6fc3df',
  },
};

/** A page that hosts one panel bundle with a fake VS Code API recording what the panel posts. */
export class PanelHarness {
  private browser: Browser | undefined;
  page!: Page;

  async open(panel: string, theme: keyof typeof themes = 'light'): Promise<void> {
    this.browser = await chromium.launch({
      executablePath: chromiumPath(),
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
    this.page = await this.browser.newPage({ viewport: { width: 1000, height: 900 } });
    const vars = Object.entries(themes[theme])
      .map(([k, v]) => `${k}: ${v};`)
      .join(' ');
    await this.page
      .setContent(`<!DOCTYPE html><html><head><style>:root { ${vars} --vscode-font-family: sans-serif; --vscode-font-size: 13px; }</style></head><body><main id="app"></main>
      <script>
        window.__posted = [];
        let state;
        window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => state, setState: (s) => { state = s; } });
      </script></body></html>`);
    await this.page.addScriptTag({ path: join(repoRoot, 'dist', 'webview', `${panel}.js`) });
  }

  /** Sends a host message to the panel, as the extension's postMessage would. */
  async send(message: HostToWebviewMessage): Promise<void> {
    // Runs in the page; the Node tsconfig has no DOM types, hence the narrow cast.
    await this.page.evaluate(
      (m) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(m, '*'),
      message,
    );
  }

  async posted(): Promise<{ type: string; payload: unknown }[]> {
    return this.page.evaluate(
      () => (globalThis as unknown as { __posted: { type: string; payload: unknown }[] }).__posted,
    );
  }

  async screenshot(name: string): Promise<void> {
    const dir = join(repoRoot, 'test-artifacts', 'screenshots');
    mkdirSync(dir, { recursive: true });
    await this.page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  }

  async close(): Promise<void> {
    await this.browser?.close();
  }
}
