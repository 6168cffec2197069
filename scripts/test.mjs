// Runs the test tiers with node's test runner in ONE invocation, so CI reads one closing summary.
// Usage: node scripts/test.mjs [unit|lsp|engine|webview|vscode|e2e ...]   (no argument = every tier)
// Tiers that need built bundles (lsp, webview, vscode, e2e) get a fresh build first.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tiers = ['unit', 'lsp', 'engine', 'webview', 'vscode', 'e2e'];
const needsBuild = new Set(['lsp', 'engine', 'webview', 'vscode', 'e2e']);

const requested = process.argv.slice(2);
for (const t of requested) {
  if (!tiers.includes(t)) {
    console.error(`Unknown test tier "${t}". Choose from: ${tiers.join(', ')}.`);
    process.exit(2);
  }
}
const selected = requested.length > 0 ? requested : tiers;

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : testFiles(path);
    return /\.test\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

const files = selected.flatMap((t) => testFiles(join(root, 'test', t))).sort();
if (files.length === 0) {
  console.error(`No test files found for: ${selected.join(', ')}.`);
  process.exit(1);
}

if (selected.some((t) => needsBuild.has(t))) {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
    stdio: 'inherit',
    cwd: root,
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

console.log(`running ${files.length} test files (${selected.join(', ')})`);
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter', 'spec', ...files.map((f) => relative(root, f))],
  { stdio: ['ignore', 'pipe', 'inherit'], cwd: root, env: { ...process.env, L2R_REPO_ROOT: root } },
);
// Echo the spec reporter and keep its totals, to close with the plain line any CI can read.
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on('close', (code) => {
  const count = (label) => Number(new RegExp(`${label} (\\d+)\\s*$`, 'm').exec(tail)?.[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail') + count('cancelled');
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
