import { copyFile, mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import type { Phase, RunCoordinates, RunEvent } from '../../protocol/events';
import type { MemoryRecord, MetricsFile, ResultRow, RoutingTable, RunMeta } from '../../protocol/runFolder';
import { RUN_FILES } from '../../protocol/runFolder';
import type { BackendName, ExperimentSpec, KernelChoice } from '../../protocol/spec';
import type { TaskData } from '../data/dataset';
import { loadTask } from '../data/loadTask';
import { createFeaturizer } from '../features/featurize';
import { applyStem, orthonormalProjection } from '../features/stem';
import { memoryBudget, selectMemory } from '../memory';
import {
  createRouter,
  createTaskModule,
  adapterVariables,
  headVariables,
  routerVariables,
} from '../model/params';
import type { RouterLayer, TaskModule } from '../model/params';
import type { FrozenBackbone } from '../model/backbone';
import { createVectorBackbone } from '../model/backbone';
import { bertFeaturize, createBertBackbone, loadBertCheckpoint } from '../bert/bertBackbone';
import { createRandom } from '../random';
import { randomStreams } from '../streams';
import type { Tf } from '../tf';
import { Cancelled } from '../train/hooks';
import type { AdapterThreadPaths } from '../parallel/adapterHelper';
import { AdapterPool, adapterUnit, logEvent } from '../parallel/adapterPool';
import { trainAdapter } from '../train/trainAdapter';
import { kernelsSupported } from '../kernels/module';
import { useKernels } from '../kernels/select';
import { applyStemWithKernels } from '../kernels/stem';
import { routerSchedule, trainRouter } from '../train/trainRouter';
import type { MemoryBatchSource } from '../train/trainRouter';
import { Checkpoints } from './checkpoint';
import { EventSink } from './events';
import { readJsonIfExists, writeAtomic, writeJsonAtomic } from './files';
import { evaluateStream } from './evaluateStream';
import { attachMemoryScores } from './memoryScores';
import { ProgressClock, progressHooks, unitRunner } from './progress';
import { InferenceThread } from '../eval/inferenceThread';
import { runBaselines, snapshot } from './baselines';
import { memoryRows, replayPerTask, routerRows } from './memoryRows';
import type { ReplaySource } from './memoryRows';
import { transferMetrics } from '../eval/metrics';
import { aggregateRows, resultsCsv } from './results';
import type { PreparedTask } from './prepared';

export interface RunOptions {
  readonly runDir: string;
  readonly tf: Tf;
  readonly backend: BackendName;
  readonly resume: boolean;
  /** Only these seeds of the spec's sweep. */
  readonly seeds?: readonly number[];
  /** The embedded word-vector file (media/glove100.bin). */
  readonly gloveFile: string;
  readonly onEvent: (event: RunEvent) => void;
  /** Checked between optimiser steps. */
  readonly shouldStop: () => boolean;
  /**
   * `validation` evaluates on the split carved from each task's training data instead of the test
   * split: what choosing defaults and ablations uses, so that no choice is made on test data.
   */
  readonly evaluateOn?: 'test' | 'validation';
  /**
   * Where the adapter thread's script is: with it, some tasks' isolated adapters train in worker
   * threads beside the engine's own training (vector backbones on the wasm or cpu backend; the
   * numbers are the same either way). Absent: everything trains in this thread.
   */
  readonly adapterThread?: AdapterThreadPaths;
  /** Threads training adapters, this one included (default: the cores, at most MAX_THREADS; 1 = off). */
  readonly threads?: number;
  /** The engine's WebAssembly kernels where they beat TF.js (`auto`, the default) or never (`tfjs`). */
  readonly kernels?: KernelChoice;
}

/** The default cap on adapter-training threads: more rarely pays with five-task streams. */
export const MAX_THREADS = 4;

export type RunOutcome =
  { readonly kind: 'completed'; readonly metrics: MetricsFile } | { readonly kind: 'cancelled' };

/**
 * Runs a whole experiment: every seed x order, each learning the stream task by task (isolated
 * adapters, memory), then the routers, then evaluation. Every completed unit (a task's adapters,
 * a router) is checkpointed, so `resume` continues where a killed run stopped and ends with the
 * same numbers.
 */
export async function runExperiment(spec: ExperimentSpec, options: RunOptions): Promise<RunOutcome> {
  const { tf, runDir } = options;
  const started = Date.now();
  await mkdir(runDir, { recursive: true });
  const sink = new EventSink(runDir, options.onEvent);
  const checkpoints = new Checkpoints(runDir);
  if (options.resume) await checkpoints.load();
  const previous = options.resume ? await readJsonIfExists<RunMeta>(join(runDir, RUN_FILES.meta)) : undefined;
  const runId = previous?.runId ?? basename(runDir);
  const meta: RunMeta = {
    runId,
    stream: spec.name,
    sourceFile: spec.sourceFile,
    createdAt: previous?.createdAt ?? new Date(started).toISOString(),
    updatedAt: new Date().toISOString(),
    status: 'running',
    backend: options.backend,
    pid: process.pid,
  };
  await writeJsonAtomic(join(runDir, RUN_FILES.meta), meta);
  await writeJsonAtomic(join(runDir, RUN_FILES.spec), spec);
  await copyFile(spec.sourceFile, join(runDir, RUN_FILES.stream)).catch(() => undefined);

  const seeds = options.seeds ?? spec.seeds;
  const taskCount = spec.tasks.length;
  const routerEpochsGuess = spec.router.epochs;
  const perOrder =
    taskCount * spec.adapter.epochs +
    routerEpochsGuess * (spec.router.schedule === 'after-each-task' ? taskCount : 1);
  const progress = new ProgressClock(seeds.length * spec.orders.length * perOrder);
  sink.emit({
    type: 'run-started',
    time: Date.now(),
    runId,
    stream: spec.name,
    backend: options.backend,
    tasks: spec.tasks.map((t) => t.name),
    seeds,
    orders: spec.orders.map((o) => o.name),
    totalUnits: progress.total,
    resumed: options.resume,
  });

  const rows: ResultRow[] = [];
  const tables: RoutingTable[] = [];
  const memoryRecords: MemoryRecord[] = [];
  const matrices: MetricsFile['matrices'][number][] = [];
  const speed = {
    adapter: [] as number[],
    router: [] as number[],
    inference: [] as number[],
    adapterPhase: { examples: 0, seconds: 0 },
    routerPhase: { examples: 0, seconds: 0 },
  };
  const kernels = useKernels(options.kernels ?? 'auto', options.backend);
  const threads = options.threads ?? Math.min(availableParallelism(), MAX_THREADS);
  const gradientThread = kernels && threads > 1 ? options.adapterThread?.gradientScript : undefined;
  if (kernels)
    sink.emit(
      logEvent(
        'info',
        `Training and inference run on the engine's WebAssembly SIMD kernels beside TF.js ${options.backend} (l2r run --kernels tfjs: TF.js only).`,
      ),
    );
  const pool = AdapterPool.create(
    spec,
    options.backend,
    kernels,
    threads,
    options.adapterThread,
    checkpoints,
  );
  try {
    for (const seed of seeds) {
      const prepared = await prepareSeed(
        tf,
        spec,
        seed,
        options.gloveFile,
        sink,
        options.evaluateOn ?? 'test',
        (options.kernels ?? 'auto') === 'auto' && kernelsSupported(),
      );
      try {
        pool?.submitSeed(spec, seed, prepared.tasks, prepared.width);
        for (const order of spec.orders) {
          const coords: RunCoordinates = { seed, order: order.name };
          const result = await runOrder(tf, spec, prepared, order.tasks, coords, {
            checkpoints,
            sink,
            progress,
            shouldStop: options.shouldStop,
            memoryRecords,
            speed,
            pool,
            kernels,
            gradientThread,
          });
          rows.push(...result.rows);
          tables.push(...result.tables);
          matrices.push(...result.matrices);
        }
      } finally {
        prepared.frozen.dispose();
      }
    }
  } catch (error) {
    await sink.flush();
    if (error instanceof Cancelled) {
      sink.emit({ type: 'run-cancelled', time: Date.now() });
      await sink.flush();
      await writeJsonAtomic(join(runDir, RUN_FILES.meta), {
        ...meta,
        status: 'cancelled',
        updatedAt: new Date().toISOString(),
        message: 'Stopped by the user; resume to continue.',
      });
      return { kind: 'cancelled' };
    }
    throw error;
  } finally {
    await pool?.dispose();
  }

  const mean = (v: number[]): number | undefined =>
    v.length === 0 ? undefined : v.reduce((a, b) => a + b, 0) / v.length;
  const metrics: MetricsFile = {
    runId,
    stream: spec.name,
    backend: options.backend,
    seconds: (Date.now() - started) / 1000,
    rows,
    aggregate: aggregateRows(rows),
    matrices,
    speed: {
      adapterTraining: mean(speed.adapter),
      adapterPhase:
        speed.adapterPhase.seconds > 0 ? speed.adapterPhase.examples / speed.adapterPhase.seconds : undefined,
      routerTraining: mean(speed.router),
      routerPhase:
        speed.routerPhase.seconds > 0 ? speed.routerPhase.examples / speed.routerPhase.seconds : undefined,
      inference: mean(speed.inference),
    },
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  await writeJsonAtomic(join(runDir, RUN_FILES.metrics), metrics);
  await writeAtomic(join(runDir, RUN_FILES.results), resultsCsv(rows));
  await writeJsonAtomic(join(runDir, RUN_FILES.routing), { tables });
  await writeAtomic(
    join(runDir, RUN_FILES.memory),
    memoryRecords.map((r) => JSON.stringify(r)).join('\n') + '\n',
  );
  const headline = metrics.aggregate.filter((a) => a.method === 'l2r-wavg');
  sink.emit({ type: 'run-completed', time: Date.now(), seconds: metrics.seconds });
  await sink.flush();
  await writeJsonAtomic(join(runDir, RUN_FILES.meta), {
    ...meta,
    status: 'completed',
    pid: undefined,
    updatedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    headline: {
      method: 'l2r-wavg',
      cil: headline.find((a) => a.setting === 'cil')?.accuracyMean,
      til: headline.find((a) => a.setting === 'til')?.accuracyMean,
    },
  } satisfies RunMeta);
  return { kind: 'completed', metrics };
}

export interface SeedData {
  readonly tasks: ReadonlyMap<string, PreparedTask>;
  /** Width of one cached row (stem features or token ids). */
  readonly width: number;
  readonly frozen: FrozenBackbone;
  readonly dim: number;
}

/** Loads every task and computes its frozen features once per seed (the stem is seeded). */
export async function prepareSeed(
  tf: Tf,
  spec: ExperimentSpec,
  seed: number,
  gloveFile: string,
  sink: EventSink,
  evaluateOn: 'test' | 'validation',
  /** The stem's product on the WebAssembly kernels (any backend: the stem is plain numbers, not TF.js). */
  stemKernels: boolean,
): Promise<SeedData> {
  // Rows cached per example: the stem features (pooled backbones) or token ids (bert).
  let rowsOf: (texts: readonly string[]) => Float32Array;
  let frozen: FrozenBackbone;
  const backbone = spec.backbone;
  if (backbone.type === 'bert') {
    const checkpoint = await loadBertCheckpoint(backbone.path);
    rowsOf = (texts) => bertFeaturize(checkpoint, texts, backbone.maxLength);
    frozen = createBertBackbone(tf, checkpoint, backbone.maxLength);
  } else {
    const featurizer = await createFeaturizer(backbone, gloveFile);
    const projection = orthonormalProjection(featurizer.inputDim, backbone.dim, createRandom(seed, 7));
    const stem = stemKernels ? applyStemWithKernels : applyStem;
    rowsOf = (texts) =>
      stem(featurizer.featurize(texts), texts.length, featurizer.inputDim, projection, backbone.dim);
    frozen = createVectorBackbone(tf, backbone.layers, backbone.dim, randomStreams.vectorBackbone(seed));
  }
  const tasks = new Map<string, PreparedTask>();
  try {
    for (const [taskKey, task] of spec.tasks.entries()) {
      sink.emit({
        type: 'phase',
        time: Date.now(),
        seed,
        order: spec.orders[0]?.name ?? '',
        phase: 'load',
        method: 'data',
        task: task.name,
        taskCount: spec.tasks.length,
      });
      const loaded: TaskData = await loadTask(task, taskKey, seed);
      const data: TaskData = evaluateOn === 'validation' ? { ...loaded, test: loaded.val } : loaded;
      tasks.set(task.name, {
        data,
        train: rowsOf(data.train.texts),
        val: rowsOf(data.val.texts),
        test: rowsOf(data.test.texts),
      });
    }
  } catch (error) {
    frozen.dispose();
    throw error;
  }
  return { tasks, frozen, dim: frozen.dim, width: frozen.inputWidth };
}

interface OrderContext {
  readonly checkpoints: Checkpoints;
  /** Helper threads training some tasks' adapters beside this thread, when available. */
  readonly pool: AdapterPool | undefined;
  /** Isolated adapters train on the WebAssembly kernels (kernels/select.ts). */
  readonly kernels: boolean;
  /** The kernels' data-parallel helper script, when kernels and a second thread are on. */
  readonly gradientThread: string | undefined;
  readonly sink: EventSink;
  readonly progress: ProgressClock;
  readonly shouldStop: () => boolean;
  readonly memoryRecords: MemoryRecord[];
  readonly speed: {
    adapter: number[];
    router: number[];
    inference: number[];
    /** L2R's isolated-adapter phases: examples trained and the wall-clock seconds the engine spent on them. */
    adapterPhase: { examples: number; seconds: number };
    /** L2R's router trainings likewise (set-up included). */
    routerPhase: { examples: number; seconds: number };
  };
}

async function runOrder(
  tf: Tf,
  spec: ExperimentSpec,
  seedData: SeedData,
  order: readonly string[],
  coords: RunCoordinates,
  ctx: OrderContext,
): Promise<{ rows: ResultRow[]; tables: RoutingTable[]; matrices: MetricsFile['matrices'][number][] }> {
  const { sink, progress, checkpoints } = ctx;
  const orderKey = spec.orders.findIndex((o) => o.name === coords.order);
  const modules: TaskModule[] = [];
  const memory: { task: number; index: number }[] = [];
  const firstRecord = ctx.memoryRecords.length;
  const prefix = `s${coords.seed}-${coords.order}`;
  const emitPhase = (phase: Phase, method: string, task?: string, taskIndex?: number): void =>
    sink.emit({
      type: 'phase',
      time: Date.now(),
      ...coords,
      phase,
      method,
      task,
      taskIndex,
      taskCount: order.length,
    });
  const hooks = progressHooks(sink, progress, coords, ctx.shouldStop);
  const runUnit = unitRunner(tf, checkpoints, progress);

  const matrixRows: { cil: number[]; til: number[] }[] = [];
  const isolatedHeads: Float32Array[][] = [];
  let router: RouterLayer[] | undefined;
  let lastRouterRows: MemoryBatchSource | undefined;
  // Feature replay for the router trained after task t: its own random stream, so a resumed run draws the same rows.
  const replayFor = (t: number): ReplaySource => ({
    perTask: replayPerTask(spec),
    covariance: spec.router.replayCovariance,
    random: () => createRandom(coords.seed, orderKey, t, 20),
  });
  try {
    for (let t = 0; t < order.length; t++) {
      const name = order[t] ?? '';
      const task = seedData.tasks.get(name);
      if (task === undefined) throw new Error(`order "${coords.order}" names unknown task "${name}"`);
      const module = createTaskModule(
        tf,
        name,
        task.data.classes,
        seedData.frozen.layers,
        seedData.dim,
        spec.adapter.bottleneck,
        randomStreams.adapterInit(coords.seed, orderKey, t),
      );
      modules.push(module);
      const unit = adapterUnit(coords.seed, coords.order, name);
      const moduleVars = [...adapterVariables(module), ...headVariables(module)];
      emitPhase('adapter', 'l2r', name, t);
      const adapterStarted = performance.now();
      const restored = checkpoints.has(unit);
      const fromHelper =
        ctx.pool !== undefined &&
        (await ctx.pool.take(tf, unit, moduleVars, hooks('adapter', 'l2r', name, ctx.speed.adapter), (l, m) =>
          sink.emit(logEvent(l, m)),
        ));
      if (!fromHelper)
        await runUnit(unit, moduleVars, spec.adapter.epochs, (unitHooks) =>
          trainAdapter(
            tf,
            module,
            seedData.frozen,
            { x: task.train, labels: task.data.train.labels, dim: seedData.width },
            spec.adapter,
            randomStreams.adapterEpoch(coords.seed, orderKey, t),
            { ...hooks('adapter', 'l2r', name, ctx.speed.adapter), ...unitHooks },
            {
              kernels: ctx.kernels,
              onFallback: (why) => sink.emit(logEvent('info', `${unit}: ${why}.`)),
              // Two cores for one task only when no adapter thread trains another beside it.
              ...(ctx.pool === undefined && ctx.gradientThread !== undefined
                ? { gradientThread: ctx.gradientThread }
                : {}),
            },
          ),
        );
      if (!restored) {
        ctx.speed.adapterPhase.seconds += (performance.now() - adapterStarted) / 1000;
        ctx.speed.adapterPhase.examples += spec.adapter.epochs * task.data.train.labels.length;
      }
      isolatedHeads.push(await snapshot(headVariables(module)));
      // Replay memory: derived from its own random stream, so a resumed run selects the same examples.
      emitPhase('memory', 'l2r', name, t);
      const budget = memoryBudget(spec.memory, task.data.train.labels.length);
      const chosen = selectMemory(
        task.data.train.labels,
        budget,
        spec.memory.strategy,
        createRandom(coords.seed, orderKey, t, 3),
      );
      for (const index of chosen) {
        memory.push({ task: t, index });
        ctx.memoryRecords.push({
          ...coords,
          task: name,
          label: task.data.classes[task.data.train.labels[index] ?? 0] ?? '',
          text: task.data.train.texts[index] ?? '',
          index,
          storedAfterTask: name,
          storedAt: Date.now(),
        });
      }
      sink.emit({
        type: 'memory-updated',
        time: Date.now(),
        ...coords,
        task: name,
        size: chosen.length,
        budget,
        total: memory.length,
      });

      if (spec.router.schedule === 'after-each-task' || t === order.length - 1) {
        if (router !== undefined) tf.dispose(routerVariables(router));
        router = createRouter(
          tf,
          seedData.frozen.layers,
          seedData.dim,
          modules.length,
          createRandom(coords.seed, orderKey, t, 4),
        );
        const routerUnit = `${prefix}-router-after-${name}`;
        const vars = [
          ...routerVariables(router),
          ...(spec.router.tuneHeads ? modules.flatMap(headVariables) : []),
        ];
        emitPhase('router', 'l2r', name, t);
        const replay = replayFor(t);
        const rows = routerRows(seedData, order.slice(0, t + 1), memory, replay);
        lastRouterRows = rows;
        if (replay.perTask > 0)
          sink.emit(
            logEvent(
              'info',
              `${prefix}-router-after-${name}: ${memory.length} memory examples and ${rows.unionLabels.length - memory.length} feature-replay pseudo-examples (${replay.perTask} per task).`,
            ),
          );
        const { epochs } = routerSchedule(rows.unionLabels.length, spec.router);
        progress.total += Math.max(0, epochs - spec.router.epochs);
        const routerStarted = performance.now();
        const routerRestored = checkpoints.has(routerUnit);
        await runUnit(routerUnit, vars, epochs, (unitHooks) =>
          trainRouter(
            tf,
            modules,
            seedData.frozen,
            router as RouterLayer[],
            rows,
            spec.router,
            (epoch) => createRandom(coords.seed, orderKey, t, 5, epoch),
            { ...hooks('router', 'l2r', name, ctx.speed.router), ...unitHooks },
            isolatedHeads,
            {
              kernels: ctx.kernels,
              onFallback: (why) => sink.emit(logEvent('info', `${routerUnit}: ${why}.`)),
              // Two cores for the routers unless an adapter thread is running ahead into the next order.
              ...(ctx.gradientThread !== undefined && ctx.pool?.busy !== true
                ? { gradientThread: ctx.gradientThread }
                : {}),
            },
          ),
        );
        if (!routerRestored) {
          ctx.speed.routerPhase.seconds += (performance.now() - routerStarted) / 1000;
          ctx.speed.routerPhase.examples += epochs * rows.unionLabels.length;
        }
        if (spec.router.schedule === 'after-each-task' && t < order.length - 1) {
          emitPhase('evaluate', 'l2r', name, t);
          const current = router;
          const partial = await InferenceThread.during(ctx.gradientThread, (thread) =>
            evaluateStream(
              tf,
              spec,
              seedData,
              order.slice(0, t + 1),
              modules,
              current,
              isolatedHeads,
              coords,
              ctx.speed.inference,
              false,
              ctx.kernels,
              thread,
            ),
          );
          matrixRows.push(partial.rowAccuracies);
        }
      }
    }
    if (router === undefined || lastRouterRows === undefined) throw new Error('the stream has no tasks');
    const finalRouter = router;
    emitPhase('evaluate', 'l2r');
    const finalMemory = memoryRows(seedData, order, memory);
    // One helper thread for the final evaluation and the memory's scores (token backbones).
    const final = await InferenceThread.during(ctx.gradientThread, async (thread) => {
      const evaluated = await evaluateStream(
        tf,
        spec,
        seedData,
        order,
        modules,
        finalRouter,
        isolatedHeads,
        coords,
        ctx.speed.inference,
        true,
        ctx.kernels,
        thread,
      );
      await attachMemoryScores(
        tf,
        spec,
        seedData.frozen,
        modules,
        finalRouter,
        finalMemory,
        ctx.memoryRecords,
        firstRecord,
        ctx.kernels,
        thread,
      );
      return evaluated;
    });
    matrixRows.push(final.rowAccuracies);
    for (const row of final.rows)
      sink.emit({
        type: 'metrics',
        time: Date.now(),
        ...coords,
        method: row.method,
        setting: row.setting,
        accuracy: row.accuracy,
        macroF1: row.macroF1,
        perTask: row.perTask,
      });
    emitPhase('baseline', 'baselines');
    const baselines = await runBaselines({
      tf,
      spec,
      tasks: seedData.tasks,
      frozen: seedData.frozen,
      width: seedData.width,
      dim: seedData.dim,
      order,
      modules,
      isolatedHeads,
      coords,
      prefix,
      orderKey,
      routerRows: lastRouterRows,
      replay: replayFor(order.length - 1),
      hooks,
      runUnit,
      emitPhase,
      speed: ctx.speed,
      kernels: ctx.kernels,
      ...(final.ownPath !== undefined ? { oraclePredictions: final.ownPath } : {}),
    });
    for (const row of baselines.rows)
      sink.emit({
        type: 'metrics',
        time: Date.now(),
        ...coords,
        method: row.method,
        setting: row.setting,
        accuracy: row.accuracy,
        macroF1: row.macroF1,
        perTask: row.perTask,
      });
    const l2rMatrices: MetricsFile['matrices'][number][] =
      spec.router.schedule === 'after-each-task'
        ? (['cil', 'til'] as const).map((setting) => ({
            ...coords,
            method: 'l2r-wavg',
            setting,
            tasks: order,
            r: order.map((_, i) => order.map((__, j) => (j <= i ? (matrixRows[i]?.[setting][j] ?? 0) : 0))),
          }))
        : [];
    const withTransfer = final.rows.map((row) => {
      const m = l2rMatrices.find((x) => x.setting === row.setting && `l2r-${'wavg'}` === row.method);
      if (m === undefined) return row;
      const { forgetting, bwt } = transferMetrics(m.r);
      return { ...row, forgetting, bwt };
    });
    return {
      rows: [...withTransfer, ...baselines.rows],
      tables: final.tables,
      matrices: [...l2rMatrices, ...baselines.matrices],
    };
  } finally {
    if (router !== undefined) tf.dispose(routerVariables(router));
    for (const m of modules) tf.dispose([...adapterVariables(m), ...headVariables(m)]);
  }
}
