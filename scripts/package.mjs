// Builds production bundles and packages the extension as a .vsix with @vscode/vsce. The bundles
// carry every dependency, so node_modules is left out (--no-dependencies). Prints the size and fails
// above the 15 MB budget.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const budgetBytes = 15 * 1024 * 1024;
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, `${name}-${version}.vsix`);

function step(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

step(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production']);
step(process.execPath, [
  join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
  'package',
  '--no-dependencies',
  '--allow-missing-repository',
  '--no-rewrite-relative-links',
  '--out',
  out,
]);
const bytes = statSync(out).size;
console.log(`${out}: ${(bytes / 1024 / 1024).toFixed(2)} MB (budget 15 MB)`);
if (bytes > budgetBytes) {
  console.error('The .vsix is over its 15 MB budget: check .vscodeignore and the bundle sizes.');
  process.exit(1);
}
