// `npm run bench`: our engine against a PyTorch reference of the same pipeline, side by side on this
// machine, alternating A B A B so drift on a shared machine hits both. Same inputs (our cached stem
// features, exported), same model, same hyper-parameters (bench/pytorch/). Prints a Markdown table
// of medians and ours/PyTorch ratios, achieved GFLOP/s against each side's measured matmul ceiling,
// and the accuracy of both (they should agree within noise).
// Usage: npm run bench [-- repeats=3 [stream.l2r]]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const repeats = Number(process.argv[2] ?? 3);
const stream = process.argv[3] ?? join(root, 'examples', 'mtl5-offline.l2r');
const python = '/usr/bin/python3';
// FACTS.md: a fair reference needs OpenBLAS (pthread) as the system BLAS and one BLAS thread per
// torch thread, or the two oversubscribe the cores.
const pythonEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
const threads = String(Math.min(2, Number(process.env.L2R_BENCH_THREADS ?? 2)));

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  if (r.status !== 0) {
    console.error(`${command} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
    process.exit(1);
  }
  return r.stdout;
}

/** The reference's own setup step: Debian's python3-torch with OpenBLAS selected; idempotent. */
function setupTorch() {
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(
      'The PyTorch reference needs Debian packages: sudo apt-get install -y python3-torch libopenblas0-pthread',
    );
    process.exit(1);
  }
  console.error('[bench setup] apt-get install python3-torch libopenblas0-pthread (once)…');
  run('apt-get', ['install', '-y', '-qq', 'python3-torch', 'libopenblas0-pthread'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  for (const lib of ['libblas.so.3', 'liblapack.so.3'])
    spawnSync('update-alternatives', [
      '--set',
      `${lib}-x86_64-linux-gnu`,
      `/usr/lib/x86_64-linux-gnu/openblas-pthread/${lib}`,
    ]);
}

/** Runs a command whose last stdout line is one JSON object, and parses that line. */
const runJson = (command, args, options) => JSON.parse(run(command, args, options).trim().split('\n').pop());

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

setupTorch();
run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production'], { stdio: 'inherit' });
const exported = mkdtempSync(join(tmpdir(), 'l2r-bench-features-'));
run(
  process.execPath,
  ['--import', 'tsx', join(root, 'bench', 'pytorch', 'export-features.mts'), exported, stream],
  {
    cwd: root,
  },
);
const manifest = JSON.parse(readFileSync(join(exported, 'manifest.json'), 'utf8'));

const ours = [];
const reference = [];
for (let i = 0; i < repeats; i++) {
  const out = mkdtempSync(join(tmpdir(), 'l2r-bench-run-'));
  const started = performance.now();
  run(process.execPath, [join(root, 'dist', 'cli.js'), 'run', stream, '--out', out, '--backend', 'wasm']);
  const seconds = (performance.now() - started) / 1000;
  const runDir = join(out, readdirSync(out)[0]);
  const metrics = JSON.parse(readFileSync(join(runDir, 'metrics.json'), 'utf8'));
  // The stream from its features: the run's wall clock after data loading and featurising (the
  // reference starts from our exported features, so this is the like-for-like figure).
  const events = readFileSync(join(runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const firstWork = events.find((e) => e.type === 'phase' && e.phase !== 'load');
  const lastEvent = events.at(-1);
  const fromFeatures =
    firstWork !== undefined && lastEvent !== undefined ? (lastEvent.time - firstWork.time) / 1000 : seconds;
  const acc = (method, setting) =>
    metrics.rows.find((r) => r.method === method && r.setting === setting && r.memory === undefined)
      ?.accuracy;
  ours.push({
    seconds,
    fromFeatures,
    // Examples per wall-clock second of the adapter phases, both threads together (as PyTorch's is).
    adapter: metrics.speed.adapterPhase ?? metrics.speed.adapterTraining,
    // The router phases' wall clock, set-up included (the reference times its whole loop).
    router: metrics.speed.routerPhase ?? metrics.speed.routerTraining,
    inference: metrics.speed.inference,
    peakRssMb: metrics.peakRssMb,
    wavgCil: acc('l2r-wavg', 'cil'),
    wavgTil: acc('l2r-wavg', 'til'),
    mergeCil: acc('l2r-merge', 'cil'),
  });
  const started2 = performance.now();
  const ref = runJson(python, [join(root, 'bench', 'pytorch', 'l2r_reference.py'), exported, threads], {
    env: pythonEnv,
  });
  const referenceSeconds = (performance.now() - started2) / 1000;
  reference.push({
    seconds: referenceSeconds,
    // The reference's own timing of its pipeline (interpreter start-up and imports excluded).
    fromFeatures: ref.seconds ?? referenceSeconds,
    adapter: ref.adapterTraining,
    router: ref.routerTraining,
    inference: ref.inference,
    peakRssMb: ref.peakRssMb,
    wavgCil: ref.results['l2r-wavg'].cil,
    wavgTil: ref.results['l2r-wavg'].til,
    mergeCil: ref.results['l2r-merge'].cil,
  });
  console.error(
    `pair ${i + 1}/${repeats}: ours ${seconds.toFixed(1)} s, PyTorch ${reference.at(-1).seconds.toFixed(1)} s`,
  );
}

const ceilings = runJson(
  process.execPath,
  ['--import', 'tsx', join(root, 'bench', 'pytorch', 'ceiling.mts'), 'wasm'],
  {
    cwd: root,
  },
);
// Our training and inference run on the engine's kernels: their rate at the model's shapes, on one
// thread and on both cores at once, is the ceiling that matters (TF.js wasm's 1024² rate is printed
// beside it). PyTorch's is measured on its threads at 1024² and at the transformer's FFN shape.
const ceilingOurs = ceilings.kernelsModelShape ?? ceilings.gflops;
const ceilingOursTwo = ceilings.kernelsModelShapeTwoThreads ?? 2 * ceilingOurs;
const ceilingOursT = ceilings.kernelsTransformerShapeTwoThreads ?? ceilingOursTwo;
const torchRate = (m, k, n, reps) =>
  Number(
    run(
      python,
      [
        '-c',
        // Into a preallocated output, as our kernels write: a fresh 8 MB result per product costs
        // PyTorch more than the product at 2048 x 256 x 1024 (28 against 98 GFLOP/s here).
        `import torch,time;torch.set_num_threads(${threads});a=torch.randn(${m},${k});b=torch.randn(${k},${n});c=torch.empty(${m},${n});[torch.matmul(a,b,out=c) for _ in range(3)];t=time.perf_counter();[torch.matmul(a,b,out=c) for _ in range(${reps})];print(2*${m}*${k}*${n}*${reps}/(time.perf_counter()-t)/1e9)`,
      ],
      { env: pythonEnv },
    ).trim(),
  );
const ceilingTorch = torchRate(1024, 1024, 1024, 30);
const ceilingTorchT = torchRate(2048, 256, 1024, 30);

// FLOPs per example (multiply-adds x 2), from the model's shapes: L layers of width d, bottleneck k,
// A adapters, c classes of the task (mean), C classes in the union.
const d = manifest.dim;
const L = manifest.layers;
const k = manifest.adapter.bottleneck;
const A = manifest.tasks.length;
const C = manifest.tasks.reduce((s, t) => s + t.classes.length, 0);
const c = C / A;
const flops = {
  // forward (frozen 2d^2, adapter 4dk) + backward (adapter weights and inputs 8dk, frozen input grads 2d^2), head 6dc
  adapter: L * (4 * d * d + 12 * d * k) + 6 * d * c,
  // composed forward over A adapters + routers, backward about twice the forward's trainable part
  router: L * (2 * d * d + A * 4 * d * k + 2 * d * A) * 3 + 6 * d * C,
  inference: L * (2 * d * d + A * 4 * d * k + 2 * d * A) + 2 * d * C,
};

// The transformer backbone (random weights: throughput only), A B A B as well.
const oursT = [];
const referenceT = [];
for (let i = 0; i < repeats; i++) {
  const work = mkdtempSync(join(tmpdir(), 'l2r-bench-transformer-'));
  oursT.push(
    runJson(process.execPath, ['--import', 'tsx', join(root, 'bench', 'pytorch', 'transformer.mts'), work], {
      cwd: root,
    }),
  );
  const startedT = performance.now();
  const refT = runJson(
    python,
    [
      join(root, 'bench', 'pytorch', 'l2r_reference.py'),
      '--transformer',
      join(work, 'manifest.json'),
      threads,
    ],
    { env: pythonEnv },
  );
  // Wall clock, as ours is measured (interpreter start-up and imports included).
  referenceT.push({ ...refT, seconds: (performance.now() - startedT) / 1000 });
  console.error(
    `transformer pair ${i + 1}/${repeats}: ours ${oursT.at(-1).adapterTraining.toFixed(1)} ex/s, PyTorch ${referenceT.at(-1).adapterTraining.toFixed(1)} ex/s`,
  );
}

const m = (list, key) => median(list.map((x) => x[key]));
/**
 * A measurement's row: each side's median, then the ratio of every A B pair (ours over PyTorch, or
 * the inverse where lower is better) and the median of those ratios.
 */
const pairRow = (lists, label, key, unit, digits, higherIsBetter) => {
  const [mine, theirs] = lists;
  const ratios = mine.map((x, i) => (higherIsBetter ? x[key] / theirs[i][key] : theirs[i][key] / x[key]));
  return `| ${label} | ${m(mine, key).toFixed(digits)} ${unit} | ${m(theirs, key).toFixed(digits)} ${unit} | ${median(ratios).toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(', ')}) |`;
};
const row = (label, key, unit, digits = 0, higherIsBetter = true) =>
  pairRow([ours, reference], label, key, unit, digits, higherIsBetter);
/** Achieved GFLOP/s of a phase on both sides, and each side's share of its own ceiling for it. */
const gflopsRow = (label, lists, key, perExample, oursCeiling, torchCeiling) => {
  const a = (m(lists[0], key) * perExample) / 1e9;
  const b = (m(lists[1], key) * perExample) / 1e9;
  return `| ${label} | ${a.toFixed(1)} (${((100 * a) / oursCeiling).toFixed(0)}%) | ${b.toFixed(1)} (${((100 * b) / torchCeiling).toFixed(0)}%) | |`;
};
console.log(
  [
    `Default backbone (${manifest.tasks.length} tasks, d=${d}, ${L} layers, bottleneck ${k}); ${repeats} pairs, medians; ours: the engine's WebAssembly kernels beside TF.js wasm (isolated adapters on ${Math.min(availableParallelism(), 4)} thread(s), the rest on 1), PyTorch ${threads} thread(s) + OpenBLAS.`,
    '',
    '| measurement | ours (median) | PyTorch (median) | ours / PyTorch: median of the pairs (each pair), higher is better for ours |',
    '|---|---:|---:|---:|',
    row('adapter training', 'adapter', 'ex/s'),
    row('router training', 'router', 'ex/s'),
    row('inference (wavg + merge)', 'inference', 'ex/s'),
    row(
      'whole stream, wall clock (ours: CLI incl. data loading and featurising; PyTorch: from exported features)',
      'seconds',
      's',
      1,
      false,
    ),
    row(
      'whole stream from features, wall clock (ours: after data loading and featurising; PyTorch: its pipeline)',
      'fromFeatures',
      's',
      1,
      false,
    ),
    row('peak memory (RSS)', 'peakRssMb', 'MB', 0, false),
    `| matmul ceiling, fp32 (ours: kernels at 64x256x320, the model's shape; TF.js wasm 1024²: ${ceilings.gflops.toFixed(1)}; kernels 1024²: ${(ceilings.kernels1024 ?? 0).toFixed(1)}. PyTorch: 1024²) | ${ceilingOurs.toFixed(1)} GFLOP/s | ${ceilingTorch.toFixed(1)} GFLOP/s | ${(ceilingOurs / ceilingTorch).toFixed(2)} |`,
    `| matmul ceiling, ours on both cores at once (one kernel instance each, as the helper threads run) | ${ceilingOursTwo.toFixed(1)} GFLOP/s | | |`,
    gflopsRow(
      'adapter training GFLOP/s (share: ours of the two-core ceiling, PyTorch of its 1024² rate)',
      [ours, reference],
      'adapter',
      flops.adapter,
      ceilingOursTwo,
      ceilingTorch,
    ),
    gflopsRow(
      'router training GFLOP/s (same shares)',
      [ours, reference],
      'router',
      flops.router,
      ceilingOursTwo,
      ceilingTorch,
    ),
    gflopsRow(
      'inference GFLOP/s (share: ours, on one thread, of the one-core ceiling)',
      [ours, reference],
      'inference',
      flops.inference,
      ceilingOurs,
      ceilingTorch,
    ),
    `| L2R-wavg CIL / TIL, L2R-merge CIL (test, %) | ${m(ours, 'wavgCil').toFixed(1)} / ${m(ours, 'wavgTil').toFixed(1)}, ${m(ours, 'mergeCil').toFixed(1)} | ${m(reference, 'wavgCil').toFixed(1)} / ${m(reference, 'wavgTil').toFixed(1)}, ${m(reference, 'mergeCil').toFixed(1)} | |`,
  ].join('\n'),
);
// Transformer: FLOPs per example from the shapes: per token, an encoder layer's QKV/output 8d^2, FFN
// 4 d f, attention 4 s d; an adapter 4 d k. Training is the forward, then input gradients back through
// the frozen layers (about one forward again); the adapters' and routers' weight gradients are small
// beside them. Inference is the routed pass over both adapters plus the TIL pass with the task's own.
const T = { d: 256, f: 1024, s: 64, k: 64, L: 4, A: 2 };
const encoderPerToken = T.L * (8 * T.d * T.d + 4 * T.d * T.f + 4 * T.s * T.d);
const adapterPerToken = T.L * 4 * T.d * T.k;
const transformerFlops = {
  adapterTraining: 2 * (encoderPerToken + adapterPerToken) * T.s,
  routerTraining: 2 * (encoderPerToken + T.A * adapterPerToken) * T.s,
  inference: (2 * encoderPerToken + (T.A + 1) * adapterPerToken) * T.s,
};
const rowT = (label, key, unit, digits = 1, higherIsBetter = true) =>
  pairRow([oursT, referenceT], label, key, unit, digits, higherIsBetter);
console.log(
  [
    '',
    `Transformer backbone (4 layers, d=256, 4 heads, FFN 1024, sequences of 64, random weights; two tasks of 192 training and 96 test examples, 25% memory, the whole pipeline); ${repeats} pairs, medians.`,
    '',
    '| measurement | ours (median) | PyTorch (median) | ours / PyTorch: median of the pairs (each pair) |',
    '|---|---:|---:|---:|',
    rowT('adapter training', 'adapterTraining', 'ex/s'),
    rowT('router training', 'routerTraining', 'ex/s'),
    rowT('inference (CIL routed + TIL own adapter)', 'inference', 'ex/s'),
    rowT(
      'whole stream, wall clock (ours: the CLI incl. loading the checkpoint and tokenising; PyTorch: its pipeline)',
      'seconds',
      's',
      1,
      false,
    ),
    rowT('peak memory (RSS)', 'peakRssMb', 'MB', 0, false),
    `| matmul ceiling at the FFN's shape, 2048 x 256 x 1024 (ours: both cores at once; PyTorch: its threads) | ${ceilingOursT.toFixed(1)} GFLOP/s | ${ceilingTorchT.toFixed(1)} GFLOP/s | ${(ceilingOursT / ceilingTorchT).toFixed(2)} |`,
    ...[
      ['adapter training', 'adapterTraining'],
      ['router training', 'routerTraining'],
      ['inference', 'inference'],
    ].map(([label, key]) =>
      gflopsRow(
        `${label} GFLOP/s (share of that ceiling)`,
        [oursT, referenceT],
        key,
        transformerFlops[key],
        ceilingOursT,
        ceilingTorchT,
      ),
    ),
  ].join('\n'),
);
