import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(import.meta.dirname, '..', '..', '..');

function run(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.slice(-4000) };
}

// CI runs `npm test` only, so the static checks run here too.
describe('static checks', () => {
  it('type-checks in strict mode (Node side and webview side)', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const project of ['.', 'webview']) {
      const r = run([tsc, '--noEmit', '-p', project]);
      assert.equal(r.status, 0, r.output);
    }
  });

  it('lints clean (ESLint with the layering rules, and Prettier)', () => {
    const eslint = run([join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '.']);
    assert.equal(eslint.status, 0, eslint.output);
    const prettier = run([join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--check', '.']);
    assert.equal(prettier.status, 0, prettier.output);
  });
});
