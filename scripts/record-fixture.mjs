// Re-records test/fixtures/runs/recorded: the tiny stream with two seeds and four baselines, run
// through the built CLI, its run files copied with a fixed run id (the panel tests read them).
// Usage: npm run build && node scripts/record-fixture.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'test', 'fixtures', 'runs', 'recorded');
const work = mkdtempSync(join(tmpdir(), 'l2r-fixture-'));
const stream = readFileSync(join(root, 'examples', 'tiny.l2r'), 'utf8')
  .replace('seeds = [1]', 'seeds = [1, 2]\n  baselines = [lower, upper, oracle, epi]')
  .replaceAll('"data/', `"${join(root, 'examples', 'data')}/`);
writeFileSync(join(work, 'tiny.l2r'), stream);
const run = spawnSync(
  process.execPath,
  [join(root, 'dist', 'cli.js'), 'run', join(work, 'tiny.l2r'), '--out', work],
  {
    stdio: 'inherit',
  },
);
if (run.status !== 0) process.exit(run.status ?? 1);
const runDir = join(work, readdirSync(work).find((d) => d.endsWith('-tiny')) ?? '');
const runId = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).runId;
for (const name of ['events.jsonl', 'memory.jsonl', 'metrics.json', 'routing.json', 'run.json']) {
  const text = readFileSync(join(runDir, name), 'utf8')
    .replaceAll(runId, 'fixture-run')
    .replaceAll(work, '/fixture');
  writeFileSync(join(target, name), text);
}
console.log(`recorded ${runDir} into ${target}`);
