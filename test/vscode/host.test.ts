// The extension-host suites (mocha, real `vscode` API) run inside a real VS Code: code-server here,
// offline; @vscode/test-electron's downloaded VS Code where it can be downloaded
// (L2R_VSCODE_HOST=electron). Each mocha test is reported as a subtest by name.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { build } from 'esbuild';
import type { HostTestResult } from './host/runner';
import { CodeServerSession, repoRoot, setupTools } from './codeServer';

const outDir = join(repoRoot, 'dist-test', 'host');
const tiny = readFileSync(join(repoRoot, 'examples', 'tiny.l2r'), 'utf8');
const files = {
  'tiny.l2r': tiny,
  'broken.l2r': tiny.replace('epochs = 2', 'epocsh = 2'),
  // Long enough to stop part-way through, short enough to resume to the end quickly.
  'slow.l2r': tiny.replace('stream tiny', 'stream slow').replace('epochs = 2', 'epochs = 40'),
};

/** Bundles one suite into a `run()` module the extension host can load (vscode and mocha stay external). */
async function bundleSuite(name: string): Promise<string> {
  const outfile = join(outDir, `${name}.js`);
  await build({
    entryPoints: [join(repoRoot, 'test', 'vscode', 'host', `${name}.suite.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    logLevel: 'error',
  });
  rmSync(join(outDir, `${name}.results.json`), { force: true });
  return outfile;
}

async function runInCodeServer(
  testsPath: string,
  restricted: boolean,
): Promise<{ code: number; log: string }> {
  const session = new CodeServerSession();
  try {
    await session.start(setupTools(), files, {
      extensionTests: { developmentPath: repoRoot, testsPath },
      restricted,
    });
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      session.testsExited,
      new Promise<number>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('the extension tests did not finish in 8 minutes')),
          480_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    return { code, log: session.serverLog };
  } finally {
    await session.dispose();
  }
}

async function runInElectron(testsPath: string): Promise<{ code: number; log: string }> {
  const { runTests } = await import('@vscode/test-electron');
  const code = await runTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: testsPath,
    launchArgs: ['--disable-extensions'],
  });
  return { code, log: '' };
}

for (const [suite, restricted] of [
  ['trusted', false],
  ['untrusted', true],
] as const) {
  describe(`extension-host suite "${suite}" (mocha in a real VS Code)`, () => {
    it('passes every test', async (t) => {
      const testsPath = await bundleSuite(suite);
      const electron = process.env.L2R_VSCODE_HOST === 'electron';
      if (electron && restricted) {
        t.skip('Restricted Mode is set up for code-server only');
        return;
      }
      const { code, log } = electron
        ? await runInElectron(testsPath)
        : await runInCodeServer(testsPath, restricted);
      const resultsPath = join(outDir, `${suite}.results.json`);
      assert.ok(existsSync(resultsPath), `the suite wrote no results (exit ${code}):\n${log.slice(-4000)}`);
      const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as HostTestResult[];
      for (const r of results) {
        await t.test(r.title, () => {
          if (r.state === 'failed') assert.fail(r.error ?? 'failed');
        });
      }
      assert.ok(results.length > 0, 'the suite ran tests');
      assert.equal(code, 0, `the suite exited with ${code}`);
    });
  });
}
