// Inside the extension host: the test-electron contract (`run()` resolves when the tests pass,
// rejects when any fails). The same bundle runs under code-server (offline) and under
// @vscode/test-electron where VS Code can be downloaded. Results are also written as JSON next to
// this bundle, so the Node-side test can report each mocha test by name.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export interface HostTestResult {
  readonly title: string;
  readonly state: 'passed' | 'failed';
  readonly ms: number;
  readonly error?: string;
}

export function resultsFile(suite: string): string {
  return join(__dirname, `${suite}.results.json`);
}

/** Defines the suite with mocha's BDD globals (describe/it/before) and runs it. */
export function runSuite(name: string, define: () => void): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 180_000, color: false, reporter: 'spec' });
  mocha.suite.emit('pre-require', globalThis, name, mocha);
  define();
  const results: HostTestResult[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      writeFileSync(resultsFile(name), JSON.stringify(results, null, 1));
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', ms: t.duration ?? 0 }));
    runner.on('fail', (t, error: Error) =>
      results.push({
        title: t.fullTitle(),
        state: 'failed',
        ms: t.duration ?? 0,
        error: error.stack ?? error.message,
      }),
    );
  });
}
