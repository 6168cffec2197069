import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { formatDiagnostic, loadStreamFile } from '../language';
import type { MetricsFile } from '../protocol/runFolder';
import { RUN_FILES, runFolderName } from '../protocol/runFolder';
import type { BackendPreference, ExperimentSpec, KernelChoice } from '../protocol/spec';
import { flag, parseArgs } from './args';
import { ProgressPrinter } from './progress';
import { resultsTable } from './table';
import { runWorker } from './workerHost';

const backends = ['auto', 'gpu', 'node', 'wasm', 'cpu'];
const kernelChoices: readonly KernelChoice[] = ['auto', 'tfjs'];

/** The worker next to this bundle (dist/worker.js), or the sources run through tsx in development. */
function workerScript(): { script: string } {
  const here = dirname(new URL(import.meta.url).pathname);
  const bundled = join(here, 'worker.js');
  if (existsSync(bundled)) return { script: bundled };
  throw new Error(`the training worker bundle is missing (${bundled}); run "npm run build"`);
}

/** `l2r run FILE.l2r [--out DIR] [--backend B] [--resume RUN_DIR] [--seeds 1,2] [--stream NAME] [--threads N] [--kernels auto|tfjs]`. */
export async function runCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, {
    out: 'value',
    backend: 'value',
    resume: 'value',
    seeds: 'value',
    stream: 'value',
    threads: 'value',
    kernels: 'value',
  });
  const threadsFlag = flag(args, 'threads');
  const threads = threadsFlag === undefined ? undefined : Number(threadsFlag);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
    console.error(
      'l2r run: --threads must be a whole number from 1 (every adapter in one thread) to 64; the default is the number of cores, at most 4',
    );
    return 2;
  }
  const kernels = flag(args, 'kernels');
  if (kernels !== undefined && !kernelChoices.includes(kernels as KernelChoice)) {
    console.error(
      `l2r run: --kernels must be one of ${kernelChoices.join(', ')} (auto: the engine's WebAssembly kernels on the wasm and cpu backends; tfjs: TensorFlow.js only)`,
    );
    return 2;
  }
  const backend = flag(args, 'backend');
  if (backend !== undefined && !backends.includes(backend)) {
    console.error(`l2r run: --backend must be one of ${backends.join(', ')}`);
    return 2;
  }
  const resumeDir = flag(args, 'resume');
  let spec: ExperimentSpec;
  let runDir: string;
  if (resumeDir !== undefined) {
    runDir = resolve(resumeDir);
    try {
      spec = JSON.parse(await readFile(join(runDir, RUN_FILES.spec), 'utf8')) as ExperimentSpec;
    } catch {
      console.error(`l2r run: cannot resume ${runDir}: ${RUN_FILES.spec} is missing or unreadable.`);
      return 1;
    }
  } else {
    const file = args.positionals[0];
    if (file === undefined) {
      console.error(
        'usage: l2r run FILE.l2r [--out DIR] [--backend gpu|node|wasm|cpu] [--resume RUN_DIR] [--seeds 1,2] [--stream NAME] [--threads N] [--kernels auto|tfjs]',
      );
      return 2;
    }
    const loaded = await loadStreamFile(file, { stream: flag(args, 'stream') });
    for (const d of loaded.diagnostics) console.error(formatDiagnostic(file, d));
    if (loaded.spec === undefined) {
      console.error(`l2r run: fix the errors above, then run again.`);
      return 1;
    }
    spec = loaded.spec;
    const out = flag(args, 'out');
    runDir = join(out !== undefined ? resolve(out) : spec.output, runFolderName(new Date(), spec.name));
  }
  const seedsFlag = flag(args, 'seeds');
  const seeds = seedsFlag?.split(',').map((s) => Number(s.trim()));
  if (seeds?.some((s) => !Number.isInteger(s) || !spec.seeds.includes(s)) === true) {
    console.error(`l2r run: --seeds must name seeds of the stream (${spec.seeds.join(', ')})`);
    return 2;
  }
  const printer = new ProgressPrinter();
  const started = Date.now();
  printer.line(
    `L2R Studio · stream ${spec.name} · ${spec.tasks.length} tasks · ${spec.seeds.length} seed(s) × ${spec.orders.length} order(s)`,
  );
  printer.line(`run folder: ${runDir}`);
  const worker = runWorker(
    workerScript().script,
    {
      kind: 'start',
      spec,
      runDir,
      resume: resumeDir !== undefined,
      backend: backend as BackendPreference | undefined,
      seeds,
      progressIntervalMs: 250,
      threads,
      kernels: kernels as KernelChoice | undefined,
    },
    {
      onBackend: (name, skipped) => {
        printer.line(`backend: ${name}${skipped.length > 0 ? ` (skipped: ${skipped.join('; ')})` : ''}`);
      },
      onEvent: (event) => printer.handle(event),
    },
  );
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      printer.line('stopping at the next step (Ctrl+C again to kill); completed work is kept for --resume');
      worker.cancel();
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  const end = await worker.ended;
  process.off('SIGINT', onSigint);
  if (end.kind === 'cancelled') {
    printer.line(`stopped. Resume with: l2r run --resume ${runDir}`);
    return 130;
  }
  if (end.kind === 'failed') {
    printer.line(`run failed: ${end.message}`);
    if (end.detail !== undefined && end.detail !== '') printer.line(end.detail);
    printer.line(`completed work is kept; resume with: l2r run --resume ${runDir}`);
    return 1;
  }
  const metrics = JSON.parse(await readFile(join(runDir, RUN_FILES.metrics), 'utf8')) as MetricsFile;
  printer.line('');
  printer.line(resultsTable(metrics));
  printer.line('');
  printer.line(
    `finished in ${((Date.now() - started) / 1000).toFixed(1)} s on ${metrics.backend}; results in ${runDir}`,
  );
  return 0;
}
