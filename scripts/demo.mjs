// `npm run demo`: builds the product and runs the embedded demo stream (examples/mtl5-offline.l2r)
// headless through the CLI, which prints progress and a results table.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stream = join(root, 'examples', process.argv[2] ?? 'mtl5-offline.l2r');

const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli) || !existsSync(stream)) {
  console.error(
    'The L2R engine or the demo stream is not built yet (dist/cli.js or examples/mtl5-offline.l2r missing).',
  );
  process.exit(1);
}
const run = spawnSync(process.execPath, [cli, 'run', stream, ...process.argv.slice(3)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
