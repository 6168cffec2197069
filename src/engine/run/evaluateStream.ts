import type { RunCoordinates } from '../../protocol/events';
import type { ResultRow, RoutedExample, RoutingTable } from '../../protocol/runFolder';
import type { ExperimentSpec } from '../../protocol/spec';
import { perTaskAccuracy, resultRows, testSets } from '../eval/rows';
import { classOffsets, predictRouted } from '../eval/evaluate';
import type { RoutedPredictions } from '../eval/evaluate';
import type { FrozenBackbone } from '../model/backbone';
import type { RouterLayer, TaskModule } from '../model/params';
import type { Tf } from '../tf';
import type { PreparedTask } from './prepared';
import { routedOptions } from './tilHeads';
import { statisticsPriors } from './statisticsPrior';
import type { InferenceThread } from '../eval/inferenceThread';

/** Examples per task kept in routing.json for per-example traces (bounded: the file stays small). */
const TRACE_EXAMPLES_PER_TASK = 12;

interface SeedView {
  readonly tasks: ReadonlyMap<string, PreparedTask>;
  readonly frozen: FrozenBackbone;
  readonly width: number;
  readonly dim: number;
}

/**
 * Evaluates the stream learned so far (`order`, one module per task) on every task's test split:
 * each composition in CIL and TIL. With `full`, also builds routing tables. `isolatedHeads` are the
 * heads as trained in isolation (TIL predicts with them when the spec says so, see routedOptions).
 */
export async function evaluateStream(
  tf: Tf,
  spec: ExperimentSpec,
  seed: SeedView,
  order: readonly string[],
  modules: readonly TaskModule[],
  router: readonly RouterLayer[],
  isolatedHeads: readonly Float32Array[][],
  coords: RunCoordinates,
  inferenceSpeed: number[],
  full: boolean,
  /** Predict on the engine's WebAssembly kernels (kernels/select.ts). */
  kernels = false,
  /** A helper thread (owned by the caller): a token backbone's evaluation then predicts on two threads. */
  thread?: InferenceThread,
): Promise<{
  rows: ResultRow[];
  tables: RoutingTable[];
  rowAccuracies: { cil: number[]; til: number[] };
  /** Per test set, the TIL predictions when they are the oracle's (own adapter, isolated head). */
  ownPath?: Int32Array[];
}> {
  const offsets = classOffsets(modules);
  const sets = testSets(seed.tasks, order, seed.width);
  const where = { order, coords, settings: spec.settings };
  const rows: ResultRow[] = [];
  const tables: RoutingTable[] = [];
  let rowAccuracies = { cil: [] as number[], til: [] as number[] };
  let ownPath: Int32Array[] | undefined;
  // TIL with the task's own adapter and the head as trained in isolation is exactly the oracle.
  const tilIsOracle =
    spec.router.tilRouting === 'task' && (!spec.router.tuneHeads || spec.router.tilHeads === 'isolated');
  const compositions = full ? spec.compose : spec.compose.slice(0, 1);
  const routed = routedOptions(tf, spec.router, modules, isolatedHeads);
  const priors = statisticsPriors(spec, seed, order, sets);
  try {
    for (const composition of compositions) {
      const started = performance.now();
      const predictions: RoutedPredictions[] = [];
      for (const [t, set] of sets.entries())
        predictions.push(
          await predictRouted(tf, modules, seed.frozen, router, composition, spec.router.activation, set, {
            ...routed.options,
            ...(priors !== undefined ? { cilPrior: priors[t] } : {}),
            kernels,
            ...(thread !== undefined ? { thread } : {}),
          }),
        );
      const examples = sets.reduce((sum, set) => sum + set.labels.length, 0);
      inferenceSpeed.push(examples / ((performance.now() - started) / 1000));
      const method = spec.router.activation === 'softmax' ? `softmax-${composition}` : `l2r-${composition}`;
      if (tilIsOracle) ownPath = predictions.map((p) => p.til);
      if (composition === compositions[0]) {
        // The first composition's per-task accuracies fill the accuracy matrix row of this point in the stream.
        const perTask = perTaskAccuracy(order, offsets, sets, predictions);
        rowAccuracies = {
          cil: order.map((n) => perTask.cil[n] ?? 0),
          til: order.map((n) => perTask.til[n] ?? 0),
        };
      }
      rows.push(...resultRows(where, method, offsets, sets, predictions));
      if (full) tables.push(routingTable(seed, order, modules, predictions, method, coords));
    }
  } finally {
    routed.dispose();
  }
  return { rows, tables, rowAccuracies, ...(ownPath !== undefined ? { ownPath } : {}) };
}

function routingTable(
  seed: SeedView,
  order: readonly string[],
  modules: readonly TaskModule[],
  predictions: readonly RoutedPredictions[],
  method: string,
  coords: RunCoordinates,
): RoutingTable {
  const layers = seed.frozen.layers;
  const adapters = modules.length;
  const offsets = classOffsets(modules);
  const zeros = (): number[][][] =>
    Array.from({ length: layers }, () =>
      Array.from({ length: order.length }, () => new Array<number>(adapters).fill(0)),
    );
  const meanScores = zeros();
  const confusion = zeros();
  const active = new Array<number>(layers).fill(0);
  const examples: RoutedExample[] = [];
  let total = 0;
  predictions.forEach((p, t) => {
    const task = seed.tasks.get(order[t] ?? '');
    if (task === undefined) return;
    const n = task.data.test.labels.length;
    total += n;
    for (let e = 0; e < n; e++) {
      const perLayer: number[][] = [];
      for (let l = 0; l < layers; l++) {
        const base = (e * layers + l) * adapters;
        let best = 0;
        const row: number[] = [];
        for (let a = 0; a < adapters; a++) {
          const s = p.scores[base + a] ?? 0;
          row.push(Math.round(s * 1e4) / 1e4);
          (meanScores[l] as number[][])[t]![a]! += s / n;
          if (s >= 0.5) active[l]! += 1;
          if (s > (p.scores[base + best] ?? 0)) best = a;
        }
        (confusion[l] as number[][])[t]![best]! += 1;
        perLayer.push(row);
      }
      if (e < TRACE_EXAMPLES_PER_TASK) {
        const cil = p.cil[e] ?? 0;
        const cilTask = offsets.findIndex((o, i) => cil >= o && cil < (offsets[i + 1] ?? Infinity));
        examples.push({
          id: examples.length,
          task: order[t] ?? '',
          label: task.data.classes[task.data.test.labels[e] ?? 0] ?? '',
          text: (task.data.test.texts[e] ?? '').slice(0, 300),
          scores: perLayer,
          predictedCil: `${order[cilTask] ?? '?'}:${modules[cilTask]?.classes[cil - (offsets[cilTask] ?? 0)] ?? '?'}`,
          predictedTil: task.data.classes[p.til[e] ?? 0] ?? '',
        });
      }
    }
  });
  return {
    ...coords,
    method,
    adapters: order,
    layers,
    meanScores: meanScores.map((l) => l.map((r) => r.map((v) => Math.round(v * 1e4) / 1e4))),
    confusion,
    meanActive: active.map((a) => (total === 0 ? 0 : a / total)),
    examples,
  };
}
