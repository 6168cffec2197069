// Engine benchmark: runs a stream through the CLI (the real worker process) several times and
// reports the median end-to-end time, examples/second per phase and peak worker memory.
// Usage: node bench/engine.bench.mjs [stream.l2r] [repeats]   (builds first)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stream = process.argv[2] ?? join(root, 'examples', 'mtl5-offline.l2r');
const repeats = Number(process.argv[3] ?? 3);
spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production'], { stdio: 'inherit' });

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const samples = [];
for (let i = 0; i < repeats; i++) {
  const out = mkdtempSync(join(tmpdir(), 'l2r-bench-'));
  const started = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'run', stream, '--out', out], {
    encoding: 'utf8',
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    process.exit(1);
  }
  const run = readdirSync(out)[0];
  const metrics = JSON.parse(readFileSync(join(out, run, 'metrics.json'), 'utf8'));
  samples.push({
    seconds,
    ...metrics.speed,
    peakRssMb: metrics.peakRssMb,
    backend: metrics.backend,
    rows: metrics.aggregate,
  });
  console.error(`run ${i + 1}/${repeats}: ${seconds.toFixed(1)} s`);
}
const result = {
  stream,
  backend: samples[0].backend,
  repeats,
  endToEndSeconds: median(samples.map((s) => s.seconds)),
  adapterTrainingExamplesPerSecond: Math.round(median(samples.map((s) => s.adapterTraining))),
  routerTrainingExamplesPerSecond: Math.round(median(samples.map((s) => s.routerTraining))),
  inferenceExamplesPerSecond: Math.round(median(samples.map((s) => s.inference))),
  peakWorkerRssMb: median(samples.map((s) => s.peakRssMb)),
  accuracy: Object.fromEntries(
    samples[0].rows.map((a) => [`${a.method}/${a.setting}`, Math.round(a.accuracyMean * 10) / 10]),
  ),
};
console.log(JSON.stringify(result, null, 2));
