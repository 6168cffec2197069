import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { classStatistics } from '../../src/engine/featureReplay';
import { applyStem, orthonormalProjection } from '../../src/engine/features/stem';
import { ComposedNet } from '../../src/engine/kernels/composedNet';
import { setLayerZeroCacheBytes } from '../../src/engine/kernels/cacheBudget';
import { applyStemWithKernels } from '../../src/engine/kernels/stem';
import { FlatAdam } from '../../src/engine/kernels/flatAdam';
import { paramLayout } from '../../src/engine/kernels/adapterNet';
import { GradientHelper, parallelStepCount } from '../../src/engine/kernels/gradientHelper';
import type { KernelExports } from '../../src/engine/kernels/module';
import { instantiateKernels, KernelHeap, setKernelMemoryLimit } from '../../src/engine/kernels/module';
import { useKernels } from '../../src/engine/kernels/select';
import { createVectorBackbone } from '../../src/engine/model/backbone';
import type { TaskModule } from '../../src/engine/model/params';
import {
  adapterVariables,
  createRouter,
  createTaskModule,
  headVariables,
  routerVariables,
} from '../../src/engine/model/params';
import type { Random } from '../../src/engine/random';
import { createRandom } from '../../src/engine/random';
import type { Tf, Variable } from '../../src/engine/tf';
import { trainAdapter } from '../../src/engine/train/trainAdapter';
import { predictComposed, predictOracle } from '../../src/engine/eval/evaluate';
import { InferenceThread } from '../../src/engine/eval/inferenceThread';
import { fixedScorer, routerScorer } from '../../src/engine/model/forward';
import type { RouterSpec } from '../../src/protocol/spec';
import { trainRouter } from '../../src/engine/train/trainRouter';
import { bertFeaturize, createBertBackbone, loadBertCheckpoint } from '../../src/engine/bert/bertBackbone';
import { writeTinyBert } from './bertFixture';
import { tempDir, wasmTf } from './helpers';
import { repoRoot } from './specFixture';

function values(random: Random, count: number, scale = 1): Float32Array {
  return Float32Array.from({ length: count }, () => (random.next() - 0.5) * 2 * scale);
}

/** A heap holding `arrays`, and their pointers. */
function load(arrays: Float32Array[]): { heap: KernelHeap; k: KernelExports; ptrs: number[] } {
  const heap = new KernelHeap(instantiateKernels());
  return { heap, k: heap.k, ptrs: arrays.map((a) => heap.allocFrom(a)) };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}

function naiveProduct(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  at: (i: number, p: number) => number,
  bt: (p: number, j: number) => number,
): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += at(i, p) * bt(p, j);
      out[i * n + j] = s;
    }
  return out;
}

describe('WebAssembly kernels: the pieces', () => {
  it('matrix products (plain, A^T B, A B^T) equal a naive product on shapes with every kind of tail, and accumulate', () => {
    const r = createRandom(1);
    for (const [m, k, n] of [
      [7, 13, 19],
      [32, 256, 64],
      [5, 3, 8],
      [1, 9, 2],
      [64, 46, 256],
      // More than 64 rows: gemm packs B's panels first (with a row tail, a column tail, a 4 KB stride).
      [70, 21, 27],
      [130, 40, 1024],
    ] as const) {
      const a = values(r, m * k);
      const b = values(r, k * n);
      const at = values(r, k * m); // A^T operand stored [k x m]... used as A [m x k] transposed
      const bt = values(r, n * k);
      const start = values(r, m * n);
      const { heap, k: kernels, ptrs } = load([a, b, at, bt, start]);
      const [pa = 0, pb = 0, pat = 0, pbt = 0, pc = 0] = ptrs;
      const plain = naiveProduct(
        a,
        b,
        m,
        k,
        n,
        (i, p) => a[i * k + p] ?? 0,
        (p, j) => b[p * n + j] ?? 0,
      );
      kernels.gemm(pa, pb, pc, m, k, n, 1);
      assert.ok(
        maxDiff(
          heap.f32(pc, m * n),
          plain.map((v, i) => v + (start[i] ?? 0)),
        ) < 1e-4,
        `gemm ${m}x${k}x${n}`,
      );
      // A^T B with A stored [k x m]: C[m x n] = sum_p A[p, i] B[p, j].
      const tn = naiveProduct(
        at,
        b,
        m,
        k,
        n,
        (i, p) => at[p * m + i] ?? 0,
        (p, j) => b[p * n + j] ?? 0,
      );
      kernels.gemmTN(pat, pb, pc, k, m, n, 0);
      assert.ok(maxDiff(heap.f32(pc, m * n), tn) < 1e-4, `gemmTN ${m}x${k}x${n}`);
      // A B^T with B stored [n x k].
      const nt = naiveProduct(
        a,
        bt,
        m,
        k,
        n,
        (i, p) => a[i * k + p] ?? 0,
        (p, j) => bt[j * k + p] ?? 0,
      );
      kernels.gemmNT(pa, pbt, pc, m, k, n, 0);
      assert.ok(maxDiff(heap.f32(pc, m * n), nt) < 1e-4, `gemmNT ${m}x${k}x${n}`);
    }
  });

  it('GELU (forward with the residual, and its derivative) matches the tanh formula within 1e-6', () => {
    const r = createRandom(2);
    const count = 1027; // a tail of 3
    const x = values(r, count);
    const u = values(r, count, 9); // well into both tails of tanh
    const g = values(r, count);
    const { heap, k, ptrs } = load([x, u, g, new Float32Array(count), new Float32Array(count)]);
    const [px = 0, pu = 0, pg = 0, pout = 0, pgrad = 0] = ptrs;
    k.residualGelu(px, pu, pout, count);
    k.geluBackward(pu, pg, pgrad, count);
    const c = Math.sqrt(2 / Math.PI);
    const out = heap.f32(pout, count);
    const grad = heap.f32(pgrad, count);
    for (let i = 0; i < count; i++) {
      const z = u[i] ?? 0;
      const t = Math.tanh(c * (z + 0.044715 * z ** 3));
      const expected = (x[i] ?? 0) + 0.5 * z * (1 + t);
      const d = 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * c * (1 + 3 * 0.044715 * z * z);
      assert.ok(Math.abs((out[i] ?? 0) - expected) < 1e-5 * Math.max(1, Math.abs(expected)), `gelu at ${z}`);
      assert.ok(Math.abs((grad[i] ?? 0) - (g[i] ?? 0) * d) < 1e-5, `gelu' at ${z}`);
    }
  });

  it('layer norm and its backward pass agree with finite differences', () => {
    const r = createRandom(3);
    const rows = 3;
    const cols = 10;
    const s = values(r, rows * cols, 2);
    const gy = values(r, rows * cols);
    const loss = (input: Float32Array): number => {
      let total = 0;
      for (let i = 0; i < rows; i++) {
        const row = input.subarray(i * cols, (i + 1) * cols);
        const mean = row.reduce((a, b) => a + b, 0) / cols;
        const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / cols;
        row.forEach((v, j) => (total += (gy[i * cols + j] ?? 0) * ((v - mean) / Math.sqrt(variance + 1e-5))));
      }
      return total;
    };
    const { heap, k, ptrs } = load([
      s,
      gy,
      new Float32Array(rows * cols),
      new Float32Array(rows),
      new Float32Array(rows * cols),
    ]);
    const [ps = 0, pgy = 0, py = 0, prstd = 0, pgs = 0] = ptrs;
    k.layerNorm(ps, py, prstd, rows, cols, 1e-5);
    k.layerNormBackward(pgy, py, prstd, pgs, rows, cols);
    const analytic = heap.f32(pgs, rows * cols);
    for (let j = 0; j < rows * cols; j++) {
      const plus = Float32Array.from(s);
      const minus = Float32Array.from(s);
      plus[j] = (plus[j] ?? 0) + 1e-2;
      minus[j] = (minus[j] ?? 0) - 1e-2;
      const numeric = (loss(plus) - loss(minus)) / 2e-2;
      assert.ok(Math.abs(numeric - (analytic[j] ?? 0)) < 2e-3, `d/ds[${j}]: ${analytic[j]} vs ${numeric}`);
    }
  });

  it('softmax cross-entropy returns the mean loss and (p - y) / rows; countCorrect counts argmax hits', () => {
    const logits = Float32Array.from([1, 2, 3, 0, 0, 5]);
    const { heap, k } = load([]);
    const pl = heap.allocFrom(logits);
    const labels = heap.allocFrom(Int32Array.from([2, 0]));
    const grad = heap.alloc(6);
    const loss = k.softmaxCrossEntropy(pl, labels, grad, 2, 3);
    const p1 = [1, 2, 3].map((v) => Math.exp(v) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
    const p2 = [0, 0, 5].map((v) => Math.exp(v) / (2 + Math.exp(5)));
    const expected = (-Math.log(p1[2] ?? 1) - Math.log(p2[0] ?? 1)) / 2;
    assert.ok(Math.abs(loss - expected) < 1e-5);
    const g = heap.f32(grad, 6);
    assert.ok(Math.abs((g[2] ?? 0) - ((p1[2] ?? 0) - 1) / 2) < 1e-6);
    assert.ok(Math.abs((g[3] ?? 0) - ((p2[0] ?? 0) - 1) / 2) < 1e-6);
    assert.equal(k.countCorrect(pl, labels, 2, 3), 1);
  });

  it('block scaling, block dot products, bias + ReLU and its backward pass', () => {
    const r = createRandom(4);
    const rows = 3;
    const blocks = 2;
    const width = 6;
    const x = values(r, rows * blocks * width);
    const w = values(r, rows * blocks);
    const { heap, k, ptrs } = load([
      x,
      w,
      new Float32Array(rows * blocks * width),
      new Float32Array(rows * blocks),
    ]);
    const [px = 0, pw = 0, pout = 0, pdots = 0] = ptrs;
    k.scaleBlocks(px, pw, pout, rows, blocks, width);
    k.blockDots(px, px, pdots, rows, blocks, width, 0);
    const out = heap.f32(pout, x.length);
    const dots = heap.f32(pdots, rows * blocks);
    for (let i = 0; i < rows; i++)
      for (let t = 0; t < blocks; t++) {
        let dot = 0;
        for (let j = 0; j < width; j++) {
          const at = (i * blocks + t) * width + j;
          assert.ok(Math.abs((out[at] ?? 0) - (x[at] ?? 0) * (w[i * blocks + t] ?? 0)) < 1e-7);
          dot += (x[at] ?? 0) ** 2;
        }
        assert.ok(Math.abs((dots[i * blocks + t] ?? 0) - dot) < 1e-5);
      }
    const bias = values(r, 7);
    const z = values(r, 2 * 7);
    const pz = heap.allocFrom(z);
    k.addBiasRelu(pz, heap.allocFrom(bias), 2, 7);
    const relu = heap.f32(pz, 14);
    relu.forEach((v, i) => assert.equal(v, Math.max(0, Math.fround((z[i] ?? 0) + (bias[i % 7] ?? 0)))));
    const grad = heap.allocFrom(new Float32Array(14).fill(1));
    k.reluBackward(grad, pz, 14);
    heap.f32(grad, 14).forEach((v, i) => assert.equal(v, (relu[i] ?? 0) > 0 ? 1 : 0));
  });

  it('Adam over a flat buffer follows TF.js order of operations', () => {
    const { heap, k } = load([]);
    const p = heap.allocFrom(Float32Array.from([1, -2, 3, 0.5, 7]));
    const g = heap.allocFrom(Float32Array.from([0.1, -0.2, 0, 3, -1]));
    const m = heap.alloc(5);
    const v = heap.alloc(5);
    k.adam(p, g, m, v, 5, 0.01, 0.9, 0.999, 1e-7, 1 - 0.9, 1 - 0.999);
    const after = heap.f32(p, 5);
    // First step: m/c1 = g, v/c2 = g^2, so each parameter moves by lr * g / (|g| + eps).
    [1, -2, 3, 0.5, 7].forEach((start, i) => {
      const grad = [0.1, -0.2, 0, 3, -1][i] ?? 0;
      assert.ok(Math.abs((after[i] ?? 0) - (start - (0.01 * grad) / (Math.abs(grad) + 1e-7))) < 1e-6);
    });
  });

  it('are chosen on the one-core backends only, when supported and not turned off', () => {
    assert.equal(
      useKernels('auto', 'wasm', () => true),
      true,
    );
    assert.equal(
      useKernels('auto', 'cpu', () => true),
      true,
    );
    assert.equal(
      useKernels('auto', 'node', () => true),
      false,
    );
    assert.equal(
      useKernels('auto', 'gpu', () => true),
      false,
    );
    assert.equal(
      useKernels('tfjs', 'wasm', () => true),
      false,
    );
    assert.equal(
      useKernels('auto', 'wasm', () => false),
      false,
    );
    assert.equal(useKernels('auto', 'wasm'), true, 'this Node runs WebAssembly SIMD');
  });

  it('the committed binary is what the AssemblyScript source compiles to', () => {
    const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-kernels.mjs'), '--check'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  });
});

async function snapshot(vars: readonly Variable[]): Promise<Float32Array[]> {
  return Promise.all(vars.map(async (v) => Float32Array.from(await v.data())));
}

function restore(tf: Tf, vars: readonly Variable[], saved: readonly Float32Array[]): void {
  vars.forEach((v, i) => {
    const t = tf.tensor(saved[i] ?? new Float32Array(), v.shape);
    v.assign(t);
    t.dispose();
  });
}

function modulesFor(
  tf: Tf,
  classes: readonly number[],
  layers: number,
  dim: number,
  bottleneck: number,
): TaskModule[] {
  return classes.map((c, t) =>
    createTaskModule(
      tf,
      `t${t}`,
      Array.from({ length: c }, (_, i) => `c${i}`),
      layers,
      dim,
      bottleneck,
      createRandom(20 + t),
    ),
  );
}

describe('WebAssembly kernels: training equals the TF.js path', () => {
  it('isolated adapter training: same losses, accuracies and weights (to float rounding)', async () => {
    const tf = await wasmTf();
    const dim = 32;
    const backbone = createVectorBackbone(tf, 3, dim, createRandom(1));
    const [module] = modulesFor(tf, [5], 3, dim, 8);
    if (module === undefined) throw new Error('no module');
    const vars = [...adapterVariables(module), ...headVariables(module)];
    const start = await snapshot(vars);
    const r = createRandom(3);
    const n = 70; // batches of 16 with a tail of 6
    const data = {
      x: values(r, n * dim),
      labels: Int32Array.from({ length: n }, (_, i) => (i * 7) % 5),
      dim,
    };
    const spec = { bottleneck: 8, epochs: 2, lr: 1e-2, batchSize: 16 };
    const runs: { losses: number[]; accuracies: number[]; weights: Float32Array[] }[] = [];
    for (const kernels of [false, true]) {
      restore(tf, vars, start);
      const losses: number[] = [];
      const accuracies: number[] = [];
      await trainAdapter(
        tf,
        module,
        backbone,
        data,
        spec,
        (epoch) => createRandom(7, epoch),
        {
          onEpoch: (e) => {
            losses.push(e.loss);
            accuracies.push(e.trainAccuracy);
          },
        },
        { kernels },
      );
      runs.push({ losses, accuracies, weights: await snapshot(vars) });
    }
    const [viaTf, viaKernels] = runs;
    if (viaTf === undefined || viaKernels === undefined) throw new Error('missing run');
    assert.equal(viaKernels.losses.length, 2);
    viaTf.losses.forEach((l, i) =>
      assert.ok(Math.abs(l - (viaKernels.losses[i] ?? 0)) < 1e-4, `epoch ${i + 1} loss`),
    );
    assert.deepEqual(viaKernels.accuracies, viaTf.accuracies);
    viaTf.weights.forEach((w, i) => {
      const moved = maxDiff(w, start[i] ?? new Float32Array());
      assert.ok(moved > 1e-3, `${vars[i]?.name} was trained`);
      assert.ok(maxDiff(w, viaKernels.weights[i] ?? new Float32Array()) < 1e-4, `${vars[i]?.name}`);
    });
    backbone.dispose();
    tf.dispose(vars);
  });

  for (const variant of [
    { activation: 'gumbel-sigmoid', taskSupervision: 1, headAnchor: 0, tuneHeads: true },
    { activation: 'softmax', taskSupervision: 0.5, headAnchor: 0.3, tuneHeads: true },
    { activation: 'gumbel-sigmoid', taskSupervision: 0, headAnchor: 0, tuneHeads: false },
  ] as const)
    it(`router training (${variant.activation}, supervision ${variant.taskSupervision}, anchor ${variant.headAnchor}, heads ${variant.tuneHeads ? 'tuned' : 'frozen'}): same losses and weights`, async () => {
      const tf = await wasmTf();
      const dim = 32;
      const layers = 3;
      const classes = [4, 2, 3];
      const backbone = createVectorBackbone(tf, layers, dim, createRandom(1));
      const modules = modulesFor(tf, classes, layers, dim, 8);
      // Adapters that change the representation, so routing matters.
      const r = createRandom(5);
      for (const m of modules) for (const a of m.adapters) restore(tf, [a.up], [values(r, a.up.size, 0.3)]);
      const isolated = await Promise.all(modules.map((m) => snapshot(headVariables(m))));
      const n = 45;
      const tasks = Int32Array.from({ length: n }, (_, i) => i % 3);
      const offsets = [0, 4, 6];
      const memory = {
        x: values(r, n * dim),
        dim,
        tasks,
        unionLabels: Int32Array.from(tasks, (t, i) => (offsets[t] ?? 0) + (i % (classes[t] ?? 1))),
      };
      const spec: RouterSpec = {
        activation: variant.activation,
        temperature: 0.7,
        epochs: 3,
        minSteps: 0,
        lr: 5e-3,
        batchSize: 16,
        schedule: 'after-stream',
        tuneHeads: variant.tuneHeads,
        taskSupervision: variant.taskSupervision,
        headAnchor: variant.headAnchor,
      } as RouterSpec;
      const heads = modules.flatMap(headVariables);
      const headStart = await snapshot(heads);
      const runs: { losses: number[]; weights: Float32Array[] }[] = [];
      for (const kernels of [false, true]) {
        restore(tf, heads, headStart);
        const router = createRouter(tf, layers, dim, modules.length, createRandom(4));
        const losses: number[] = [];
        await trainRouter(
          tf,
          modules,
          backbone,
          router,
          memory,
          spec,
          (epoch) => createRandom(9, epoch),
          { onEpoch: (e) => void losses.push(e.loss) },
          isolated,
          { kernels },
        );
        runs.push({ losses, weights: await snapshot([...routerVariables(router), ...heads]) });
        tf.dispose(routerVariables(router));
      }
      const [viaTf, viaKernels] = runs;
      if (viaTf === undefined || viaKernels === undefined) throw new Error('missing run');
      viaTf.losses.forEach((l, i) =>
        assert.ok(Math.abs(l - (viaKernels.losses[i] ?? 0)) < 1e-4, `epoch ${i + 1} loss`),
      );
      viaTf.weights.forEach((w, i) =>
        assert.ok(maxDiff(w, viaKernels.weights[i] ?? new Float32Array()) < 1e-4, `parameter ${i}`),
      );
      if (!variant.tuneHeads)
        viaKernels.weights.slice(-heads.length).forEach((w, i) => assert.deepEqual(w, headStart[i]));
      backbone.dispose();
      tf.dispose(modules.flatMap((m) => [...adapterVariables(m), ...headVariables(m)]));
    });

  it('FlatAdam reads and writes its state as TF.js Adam does (names, shapes, order, iterations)', async () => {
    const tf = await wasmTf();
    const a = tf.variable(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), true, 'kernels_test_a');
    const b = tf.variable(tf.tensor1d([1, 2]), true, 'kernels_test_b');
    const reference = tf.train.adam(0.1);
    reference.minimize(() => tf.sum(tf.add(tf.sum(tf.square(a)), tf.sum(tf.mul(b, 3)))) as never, false, [
      a,
      b,
    ]);
    const saved = await reference.getWeights();
    const heap = new KernelHeap(instantiateKernels());
    const flat = new FlatAdam(
      tf,
      heap,
      0.1,
      [a, b].map((v) => ({ name: v.name, shape: v.shape })),
      8,
    );
    await flat.setWeights(saved);
    const exported = await flat.getWeights();
    assert.deepEqual(
      exported.map((w) => [w.name, w.tensor.shape]),
      saved.map((w) => [w.name, w.tensor.shape]),
    );
    for (let i = 0; i < saved.length; i++)
      assert.deepEqual(
        Array.from(await (exported[i]?.tensor.data() ?? Promise.resolve([]))),
        Array.from(await (saved[i]?.tensor.data() ?? Promise.resolve([]))),
      );
    exported.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
    saved.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
    flat.dispose();
    reference.dispose();
    tf.dispose([a, b]);
  });
});

describe('WebAssembly kernels: inference equals the TF.js path', () => {
  it('composed predictions (wavg and merge; routers and fixed weights; every TIL routing) agree', async () => {
    const tf = await wasmTf();
    const dim = 32;
    const layers = 3;
    const classes = [4, 2, 3];
    const backbone = createVectorBackbone(tf, layers, dim, createRandom(1));
    const modules = modulesFor(tf, classes, layers, dim, 8);
    const r = createRandom(6);
    for (const m of modules)
      for (const a of m.adapters)
        restore(tf, [a.up, a.downBias], [values(r, a.up.size, 0.4), values(r, a.downBias.size, 0.3)]);
    const router = createRouter(tf, layers, dim, modules.length, createRandom(4));
    for (const l of router) restore(tf, [l.w], [values(r, l.w.size, 0.5)]);
    const n = 300; // two batches of 256 and 44
    const set = {
      taskIndex: 1,
      x: values(r, n * dim),
      dim,
      labels: Int32Array.from({ length: n }, (_, i) => i % 2),
    };
    const fixedWeights = values(r, n * modules.length).map((v) => Math.abs(v));
    const isolatedHeads = modules.map((m) => ({ headW: tf.clone(m.headW), headB: tf.clone(m.headB) }));
    let compared = 0;
    for (const composition of ['wavg', 'merge'] as const)
      for (const scorerKind of ['router', 'softmax-router', 'fixed'] as const)
        for (const til of [
          undefined,
          { routing: 'task' as const },
          { routing: 'task_plus_routed' as const },
          { heads: isolatedHeads },
        ]) {
          const scorerFor =
            scorerKind === 'fixed'
              ? (start: number, count: number) => {
                  const v = fixedWeights.subarray(start * modules.length, (start + count) * modules.length);
                  return fixedScorer(tf.tensor2d(v, [count, modules.length]), v);
                }
              : () =>
                  routerScorer(tf, router, {
                    activation: scorerKind === 'router' ? 'gumbel-sigmoid' : 'softmax',
                    temperature: 1,
                    training: false,
                  });
          const options = { til, taskPrior: scorerKind === 'router' ? 0.5 : 0 };
          const viaTf = await predictComposed(tf, modules, backbone, scorerFor, composition, set, options);
          const viaKernels = await predictComposed(tf, modules, backbone, scorerFor, composition, set, {
            ...options,
            kernels: true,
          });
          const label = `${composition} ${scorerKind} ${JSON.stringify(til?.routing ?? (til === undefined ? 'routed' : 'heads'))}`;
          assert.ok(maxDiff(viaTf.scores, viaKernels.scores) < 1e-4, `${label}: scores`);
          // Predictions may differ only where two logits tie to float rounding: allow one in a hundred.
          const differ = (a: Int32Array, b: Int32Array): number => a.filter((v, i) => v !== b[i]).length;
          assert.ok(differ(viaTf.cil, viaKernels.cil) <= n / 100, `${label}: CIL`);
          assert.ok(differ(viaTf.til, viaKernels.til) <= n / 100, `${label}: TIL`);
          compared++;
        }
    assert.equal(compared, 24);
    // The kernels keep one net per modules array while its variables are unchanged: a changed head
    // (as tuning on the memory makes) must reach the next prediction.
    const routed = () =>
      routerScorer(tf, router, { activation: 'gumbel-sigmoid', temperature: 1, training: false });
    const before = await predictComposed(tf, modules, backbone, routed, 'wavg', set, { kernels: true });
    restore(tf, [modules[1]!.headB], [Float32Array.from([5, -5])]);
    const afterTf = await predictComposed(tf, modules, backbone, routed, 'wavg', set);
    const afterKernels = await predictComposed(tf, modules, backbone, routed, 'wavg', set, { kernels: true });
    assert.notDeepEqual(afterKernels.cil, before.cil, 'the new head changed the predictions');
    assert.ok(afterTf.cil.filter((v, i) => v !== afterKernels.cil[i]).length <= n / 100);
    // The oracle (own adapter, own head) on the kernels, and the TIL pass that reuses its layer 0.
    const oracleTf = await predictOracle(tf, modules, backbone, set);
    const oracleKernels = await predictOracle(tf, modules, backbone, set, true);
    assert.ok(oracleTf.filter((v, i) => v !== oracleKernels[i]).length <= n / 100, 'oracle');
    const tilTask = await predictComposed(tf, modules, backbone, routed, 'wavg', set, {
      til: { routing: 'task' },
      kernels: true,
    });
    assert.deepEqual(tilTask.til, oracleKernels, 'TIL with the task is the oracle');
    backbone.dispose();
    tf.dispose([
      ...modules.flatMap((m) => [...adapterVariables(m), ...headVariables(m)]),
      ...routerVariables(router),
      ...isolatedHeads.flatMap((h) => [h.headW, h.headB]),
    ]);
  });
});

describe('WebAssembly kernels: memory growth', () => {
  it('a router first used when the heap is full (its transposes grow the memory) scores as when warm', () => {
    const dim = 16;
    const layers = 2;
    const r = createRandom(8);
    const modules = [3, 2].map((classes) => ({
      adapters: Array.from({ length: layers }, () => ({
        down: values(r, dim * 4),
        downBias: values(r, 4),
        up: values(r, 4 * dim),
        upBias: values(r, dim),
      })),
      headW: values(r, dim * classes),
      headB: values(r, classes),
      classes,
    }));
    const frozen = Array.from({ length: layers }, () => values(r, dim * dim, 0.25));
    const scorer = {
      kind: 'router' as const,
      activation: 'gumbel-sigmoid' as const,
      router: Array.from({ length: layers }, () => ({ w: values(r, dim * 2), b: values(r, 2) })),
    };
    const rows = values(r, 5 * dim);
    const run = (fill: boolean): Float32Array => {
      const heap = new KernelHeap(instantiateKernels());
      const net = new ComposedNet(heap, { kind: 'vector', layers: frozen }, modules, dim, 4, 8);
      // Leave the memory exactly full, so the next allocation grows it (and detaches old views).
      if (fill) heap.alloc((heap.k.memory.buffer.byteLength - heap.bytes) / 4);
      const { scores } = net.forward(rows, 5, scorer, 'wavg');
      if (fill) assert.ok(heap.bytes > 0);
      return scores;
    };
    const cold = run(true);
    const warm = run(false);
    assert.ok(
      cold.every((v) => Number.isFinite(v)),
      'no score read through a detached view',
    );
    assert.deepEqual(cold, warm);
  });
});

describe('WebAssembly kernels: the stem and the feature statistics', () => {
  it('the stem (LayerNorm of a fixed projection) equals the float64 loop to 1e-4', () => {
    const r = createRandom(11);
    const n = 1100; // two chunks
    const inputDim = 37;
    const dim = 24;
    const x = values(r, n * inputDim).map((v) => (Math.abs(v) < 0.5 ? 0 : v)); // sparse, like hashed n-grams
    const p = orthonormalProjection(inputDim, dim, createRandom(12));
    assert.ok(
      maxDiff(applyStemWithKernels(x, n, inputDim, p, dim), applyStem(x, n, inputDim, p, dim)) < 1e-4,
    );
  });

  it('the full within-class scatter equals a float64 reference', () => {
    const r = createRandom(13);
    const n = 1500;
    const dim = 12;
    const x = values(r, n * dim);
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    const stats = classStatistics(x, dim, labels, 3, 'full');
    const reference = new Float64Array(dim * dim);
    for (let i = 0; i < n; i++) {
      const c = labels[i] ?? 0;
      for (let a = 0; a < dim; a++)
        for (let b = 0; b < dim; b++)
          reference[a * dim + b]! +=
            ((x[i * dim + a] ?? 0) - (stats.means[c * dim + a] ?? 0)) *
            ((x[i * dim + b] ?? 0) - (stats.means[c * dim + b] ?? 0));
    }
    reference.forEach((v, i) =>
      assert.ok(Math.abs(v - (stats.scatter[i] ?? 0)) < 1e-3 * Math.max(1, Math.abs(v)), `${i}`),
    );
  });
});

describe('WebAssembly kernels: the bert backbone', () => {
  for (const cache of [true, false])
    it(`isolated adapter training through the encoder (attention with padding${cache ? '' : ', layer 0 recomputed per step'}): same losses and weights`, async () => {
      if (!cache) setLayerZeroCacheBytes(0);
      const tf = await wasmTf();
      const folder = tempDir('l2r-kernels-bert-');
      writeTinyBert(folder, { hidden: 16, heads: 2, layers: 3, intermediate: 32, maxPositions: 12 });
      const checkpoint = await loadBertCheckpoint(folder);
      const backbone = createBertBackbone(tf, checkpoint, 12);
      const texts = Array.from({ length: 21 }, (_, i) =>
        ['free money', 'hello world and the news', 'play playing plays !', 'the spam , of money'][
          i % 4
        ]!.repeat(1 + (i % 3)),
      );
      const data = {
        x: bertFeaturize(checkpoint, texts, 12),
        labels: Int32Array.from({ length: texts.length }, (_, i) => i % 3),
        dim: 12,
      };
      const [module] = modulesFor(tf, [3], 3, 16, 4);
      if (module === undefined) throw new Error('no module');
      const vars = [...adapterVariables(module), ...headVariables(module)];
      const start = await snapshot(vars);
      const spec = { bottleneck: 4, epochs: 2, lr: 1e-2, batchSize: 8 };
      const runs: { losses: number[]; weights: Float32Array[] }[] = [];
      for (const kernels of [false, true]) {
        restore(tf, vars, start);
        const losses: number[] = [];
        await trainAdapter(
          tf,
          module,
          backbone,
          data,
          spec,
          (epoch) => createRandom(3, epoch),
          { onEpoch: (e) => void losses.push(e.loss) },
          { kernels },
        );
        runs.push({ losses, weights: await snapshot(vars) });
      }
      setLayerZeroCacheBytes();
      const [viaTf, viaKernels] = runs;
      if (viaTf === undefined || viaKernels === undefined) throw new Error('missing run');
      viaTf.losses.forEach((l, i) =>
        assert.ok(
          Math.abs(l - (viaKernels.losses[i] ?? 0)) < 1e-4,
          `epoch ${i + 1}: ${l} vs ${viaKernels.losses[i]}`,
        ),
      );
      viaTf.weights.forEach((w, i) => {
        assert.ok(maxDiff(w, start[i] ?? new Float32Array()) > 1e-3, `${vars[i]?.name} was trained`);
        assert.ok(
          maxDiff(w, viaKernels.weights[i] ?? new Float32Array()) < 2e-4,
          `${vars[i]?.name}: ${maxDiff(w, viaKernels.weights[i] ?? new Float32Array())}`,
        );
      });
      backbone.dispose();
      tf.dispose(vars);
    });
});

/** A tiny random bert (2 layers of 16, sequences of 10), two tasks' modules and a router, all perturbed. */
async function tinyBertModel(tf: Tf, seed: number, routerSeed: number) {
  const folder = tempDir('l2r-kernels-bert-model-');
  writeTinyBert(folder, { hidden: 16, heads: 2, layers: 2, intermediate: 32, maxPositions: 10 });
  const checkpoint = await loadBertCheckpoint(folder);
  const backbone = createBertBackbone(tf, checkpoint, 10);
  const modules = modulesFor(tf, [3, 2], 2, 16, 4);
  const r = createRandom(seed);
  for (const m of modules) for (const a of m.adapters) restore(tf, [a.up], [values(r, a.up.size, 0.4)]);
  const router = createRouter(tf, 2, 16, modules.length, createRandom(routerSeed));
  for (const l of router) restore(tf, [l.w], [values(r, l.w.size, 0.5)]);
  return { checkpoint, backbone, modules, router };
}

describe('WebAssembly kernels: bert inference', () => {
  it('composed predictions on the encoder (wavg and merge, routers, TIL with the task) agree with TF.js', async () => {
    const tf = await wasmTf();
    const { checkpoint, backbone, modules, router } = await tinyBertModel(tf, 17, 4);
    const texts = Array.from(
      { length: 45 },
      (_, i) => ['free money !', 'hello world', 'the news of the spam , and money money'][i % 3]!,
    );
    const set = {
      taskIndex: 0,
      x: bertFeaturize(checkpoint, texts, 10),
      dim: 10,
      labels: Int32Array.from({ length: 45 }, (_, i) => i % 3),
    };
    for (const composition of ['wavg', 'merge'] as const)
      for (const til of [undefined, { routing: 'task' as const }]) {
        const scorerFor = () =>
          routerScorer(tf, router, { activation: 'gumbel-sigmoid', temperature: 1, training: false });
        const viaTf = await predictComposed(tf, modules, backbone, scorerFor, composition, set, { til });
        const viaKernels = await predictComposed(tf, modules, backbone, scorerFor, composition, set, {
          til,
          kernels: true,
        });
        assert.ok(
          maxDiff(viaTf.scores, viaKernels.scores) < 1e-4,
          `${composition}: scores ${maxDiff(viaTf.scores, viaKernels.scores)}`,
        );
        assert.ok(viaTf.cil.filter((v, i) => v !== viaKernels.cil[i]).length <= 1, `${composition}: CIL`);
        assert.ok(viaTf.til.filter((v, i) => v !== viaKernels.til[i]).length <= 1, `${composition}: TIL`);
      }
    const oracleTf = await predictOracle(tf, modules, backbone, set);
    const oracleKernels = await predictOracle(tf, modules, backbone, set, true);
    assert.ok(oracleTf.filter((v, i) => v !== oracleKernels[i]).length <= 1, 'oracle');
    backbone.dispose();
    tf.dispose([
      ...modules.flatMap((m) => [...adapterVariables(m), ...headVariables(m)]),
      ...routerVariables(router),
    ]);
  });
});

describe('WebAssembly kernels: bert router training', () => {
  for (const cache of [true, false])
    it(`routers through the encoder (masked token means, tuned heads, task supervision${cache ? '' : ', layer 0 recomputed per step'}): same losses and weights`, async () => {
      const tf = await wasmTf();
      const folder = tempDir('l2r-kernels-bert-router-');
      writeTinyBert(folder, { hidden: 16, heads: 2, layers: 2, intermediate: 32, maxPositions: 10 });
      const checkpoint = await loadBertCheckpoint(folder);
      const backbone = createBertBackbone(tf, checkpoint, 10);
      const classes = [3, 2];
      const modules = modulesFor(tf, classes, 2, 16, 4);
      const r = createRandom(19);
      for (const m of modules) for (const a of m.adapters) restore(tf, [a.up], [values(r, a.up.size, 0.4)]);
      const isolated = await Promise.all(modules.map((m) => snapshot(headVariables(m))));
      const texts = Array.from(
        { length: 19 },
        (_, i) => ['free money !', 'hello world news', 'the spam , and money of the news'][i % 3]!,
      );
      const tasks = Int32Array.from({ length: texts.length }, (_, i) => i % 2);
      const memory = {
        x: bertFeaturize(checkpoint, texts, 10),
        dim: 10,
        tasks,
        unionLabels: Int32Array.from(tasks, (t, i) => (t === 0 ? 0 : 3) + (i % (classes[t] ?? 1))),
      };
      const spec = {
        activation: 'gumbel-sigmoid',
        temperature: 0.8,
        epochs: 2,
        minSteps: 0,
        lr: 5e-3,
        batchSize: 8,
        schedule: 'after-stream',
        tuneHeads: true,
        taskSupervision: 1,
        headAnchor: 0.2,
      } as RouterSpec;
      if (!cache) setLayerZeroCacheBytes(0);
      const heads = modules.flatMap(headVariables);
      const headStart = await snapshot(heads);
      const runs: { losses: number[]; weights: Float32Array[] }[] = [];
      try {
        for (const kernels of [false, true]) {
          restore(tf, heads, headStart);
          const router = createRouter(tf, 2, 16, modules.length, createRandom(4));
          const losses: number[] = [];
          await trainRouter(
            tf,
            modules,
            backbone,
            router,
            memory,
            spec,
            (epoch) => createRandom(9, epoch),
            { onEpoch: (e) => void losses.push(e.loss) },
            isolated,
            { kernels },
          );
          runs.push({ losses, weights: await snapshot([...routerVariables(router), ...heads]) });
          tf.dispose(routerVariables(router));
        }
      } finally {
        setLayerZeroCacheBytes();
      }
      const [viaTf, viaKernels] = runs;
      if (viaTf === undefined || viaKernels === undefined) throw new Error('missing run');
      viaTf.losses.forEach((l, i) =>
        assert.ok(
          Math.abs(l - (viaKernels.losses[i] ?? 0)) < 1e-4,
          `epoch ${i + 1}: ${l} vs ${viaKernels.losses[i]}`,
        ),
      );
      viaTf.weights.forEach((w, i) =>
        assert.ok(
          maxDiff(w, viaKernels.weights[i] ?? new Float32Array()) < 2e-4,
          `parameter ${i}: ${maxDiff(w, viaKernels.weights[i] ?? new Float32Array())}`,
        ),
      );
      backbone.dispose();
      tf.dispose(modules.flatMap((m) => [...adapterVariables(m), ...headVariables(m)]));
    });
});

describe('WebAssembly kernels: a job too large for one instance', () => {
  it('falls back to TF.js, says so, and gives the TF.js result', async () => {
    const tf = await wasmTf();
    const dim = 32;
    const backbone = createVectorBackbone(tf, 2, dim, createRandom(1));
    const [module] = modulesFor(tf, [3], 2, dim, 8);
    if (module === undefined) throw new Error('no module');
    const vars = [...adapterVariables(module), ...headVariables(module)];
    const start = await snapshot(vars);
    const r = createRandom(21);
    const data = { x: values(r, 40 * dim), labels: Int32Array.from({ length: 40 }, (_, i) => i % 3), dim };
    const spec = { bottleneck: 8, epochs: 1, lr: 1e-2, batchSize: 16 };
    const reasons: string[] = [];
    const run = async (options: { kernels: boolean; onFallback?: (why: string) => void }) => {
      restore(tf, vars, start);
      await trainAdapter(tf, module, backbone, data, spec, (epoch) => createRandom(2, epoch), {}, options);
      return snapshot(vars);
    };
    const viaTf = await run({ kernels: false });
    setKernelMemoryLimit(16 * 1024);
    let limited: Float32Array[];
    try {
      limited = await run({ kernels: true, onFallback: (why) => reasons.push(why) });
    } finally {
      setKernelMemoryLimit();
    }
    assert.equal(reasons.length, 1);
    assert.match(reasons[0] ?? '', /would need \d+ MB .*TF\.js instead/);
    limited.forEach((w, i) => assert.deepEqual(w, viaTf[i], 'the TF.js path computed it'));
    backbone.dispose();
    tf.dispose(vars);
  });
});

describe('WebAssembly kernels: data-parallel steps over two threads', () => {
  const gradientThread = join(repoRoot, 'src', 'engine', 'kernels', 'gradientThread.ts');

  it('router training with a helper thread: the same losses and weights as one thread', async () => {
    const tf = await wasmTf();
    const dim = 32;
    const layers = 3;
    const classes = [4, 2, 3];
    const backbone = createVectorBackbone(tf, layers, dim, createRandom(1));
    const modules = modulesFor(tf, classes, layers, dim, 8);
    const r = createRandom(5);
    for (const m of modules) for (const a of m.adapters) restore(tf, [a.up], [values(r, a.up.size, 0.3)]);
    const isolated = await Promise.all(modules.map((m) => snapshot(headVariables(m))));
    const n = 45;
    const tasks = Int32Array.from({ length: n }, (_, i) => i % 3);
    const offsets = [0, 4, 6];
    const memory = {
      x: values(r, n * dim),
      dim,
      tasks,
      unionLabels: Int32Array.from(tasks, (t, i) => (offsets[t] ?? 0) + (i % (classes[t] ?? 1))),
    };
    const spec = {
      activation: 'gumbel-sigmoid',
      temperature: 0.7,
      epochs: 3,
      minSteps: 0,
      lr: 5e-3,
      batchSize: 16,
      schedule: 'after-stream',
      tuneHeads: true,
      taskSupervision: 1,
      headAnchor: 0.3,
    } as RouterSpec;
    const heads = modules.flatMap(headVariables);
    const headStart = await snapshot(heads);
    const runs: { losses: number[]; accuracy: number[]; weights: Float32Array[] }[] = [];
    const before = parallelStepCount();
    for (const parallel of [false, true]) {
      restore(tf, heads, headStart);
      const router = createRouter(tf, layers, dim, modules.length, createRandom(4));
      const losses: number[] = [];
      const accuracy: number[] = [];
      await trainRouter(
        tf,
        modules,
        backbone,
        router,
        memory,
        spec,
        (epoch) => createRandom(9, epoch),
        {
          onEpoch: (e) => {
            losses.push(e.loss);
            accuracy.push(e.trainAccuracy);
          },
        },
        isolated,
        { kernels: true, ...(parallel ? { gradientThread } : {}) },
      );
      runs.push({ losses, accuracy, weights: await snapshot([...routerVariables(router), ...heads]) });
      tf.dispose(routerVariables(router));
    }
    const [one, two] = runs;
    if (one === undefined || two === undefined) throw new Error('missing run');
    assert.equal(
      parallelStepCount() - before,
      9,
      'every step (3 epochs of 3) was split over the two threads',
    );
    assert.equal(two.losses.length, 3);
    one.losses.forEach((l, i) => assert.ok(Math.abs(l - (two.losses[i] ?? 0)) < 1e-4, `epoch ${i + 1}`));
    assert.deepEqual(two.accuracy, one.accuracy);
    one.weights.forEach((w, i) =>
      assert.ok(maxDiff(w, two.weights[i] ?? new Float32Array()) < 1e-4, `parameter ${i}`),
    );
    backbone.dispose();
    tf.dispose(modules.flatMap((m) => [...adapterVariables(m), ...headVariables(m)]));
  });

  it('bert adapter training with a helper thread: the same losses and weights as one thread', async () => {
    const tf = await wasmTf();
    const folder = tempDir('l2r-kernels-bert-dp-');
    writeTinyBert(folder, { hidden: 16, heads: 2, layers: 2, intermediate: 32, maxPositions: 10 });
    const checkpoint = await loadBertCheckpoint(folder);
    const backbone = createBertBackbone(tf, checkpoint, 10);
    const texts = Array.from(
      { length: 19 },
      (_, i) => ['free money !', 'hello world news', 'the spam , of money'][i % 3]!,
    );
    const data = {
      x: bertFeaturize(checkpoint, texts, 10),
      labels: Int32Array.from({ length: 19 }, (_, i) => i % 3),
      dim: 10,
    };
    const [module] = modulesFor(tf, [3], 2, 16, 4);
    if (module === undefined) throw new Error('no module');
    const vars = [...adapterVariables(module), ...headVariables(module)];
    const start = await snapshot(vars);
    const runs: { losses: number[]; weights: Float32Array[] }[] = [];
    const before = parallelStepCount();
    for (const parallel of [false, true]) {
      restore(tf, vars, start);
      const losses: number[] = [];
      await trainAdapter(
        tf,
        module,
        backbone,
        data,
        { bottleneck: 4, epochs: 2, lr: 1e-2, batchSize: 8 },
        (epoch) => createRandom(3, epoch),
        { onEpoch: (e) => void losses.push(e.loss) },
        { kernels: true, ...(parallel ? { gradientThread } : {}) },
      );
      runs.push({ losses, weights: await snapshot(vars) });
    }
    const [one, two] = runs;
    if (one === undefined || two === undefined) throw new Error('missing run');
    assert.equal(
      parallelStepCount() - before,
      6,
      'every step (2 epochs of 3) was split over the two threads',
    );
    one.losses.forEach((l, i) => assert.ok(Math.abs(l - (two.losses[i] ?? 0)) < 1e-4, `epoch ${i + 1}`));
    one.weights.forEach((w, i) =>
      assert.ok(maxDiff(w, two.weights[i] ?? new Float32Array()) < 1e-4, `${vars[i]?.name}`),
    );
    backbone.dispose();
    tf.dispose(vars);
  });

  it("a job's helper thread serves the next job: one start, and the next net computes its own numbers", async () => {
    const dim = 8;
    const shape = { layers: 2, dim, bottleneck: 4, classes: 3, batch: 4 };
    const r = createRandom(31);
    const backbone = {
      kind: 'vector' as const,
      layers: [values(r, dim * dim, 0.3), values(r, dim * dim, 0.3)],
    };
    const rows = values(r, 10 * dim);
    const recipe = { kind: 'adapter' as const, shape, backbone, rows, count: 10 };
    const first = await GradientHelper.start(gradientThread, recipe);
    if (first === undefined) throw new Error('no thread');
    const id = first.threadId;
    const paramsA = values(r, paramLayout(shape).size, 0.2);
    const step = { params: paramsA, indices: Int32Array.from([0, 1, 2]), labels: Int32Array.from([0, 1, 2]) };
    const a = await first.step(step);
    first.dispose();
    const second = await GradientHelper.start(gradientThread, { ...recipe, rows: rows.map((v) => -v) });
    if (second === undefined) throw new Error('no thread');
    assert.equal(second.threadId, id, 'the idle thread was reused');
    const b = await second.step(step);
    const again = await second.step(step);
    second.dispose();
    assert.deepEqual(again.grads, b.grads, 'the reused thread is deterministic');
    assert.ok(maxDiff(a.grads, b.grads) > 1e-6, 'the second job computed on its own rows, not the first net');
  });
});

describe('WebAssembly kernels: bert inference over two threads', () => {
  it('a helper thread predicting half of every batch gives the predictions of one thread', async () => {
    const tf = await wasmTf();
    const { checkpoint, backbone, modules, router } = await tinyBertModel(tf, 23, 5);
    const isolatedHeads = modules.map((m) => ({ headW: tf.clone(m.headW), headB: tf.clone(m.headB) }));
    const texts = Array.from(
      { length: 45 },
      (_, i) => `${['free money', 'hello world', 'spam and news'][i % 3]} ${i}`,
    );
    const set = {
      taskIndex: 1,
      x: bertFeaturize(checkpoint, texts, 10),
      dim: 10,
      labels: Int32Array.from({ length: 45 }, (_, i) => i % 2),
    };
    const script = join(repoRoot, 'src', 'engine', 'kernels', 'gradientThread.ts');
    const thread = new InferenceThread(script);
    const scorerFor = () =>
      routerScorer(tf, router, { activation: 'gumbel-sigmoid', temperature: 1, training: false });
    let compared = 0;
    try {
      for (const composition of ['wavg', 'merge'] as const)
        for (const til of [
          undefined,
          { routing: 'task' as const, heads: isolatedHeads },
          { routing: 'task_plus_routed' as const },
        ]) {
          const one = await predictComposed(tf, modules, backbone, scorerFor, composition, set, {
            til,
            kernels: true,
          });
          const two = await predictComposed(tf, modules, backbone, scorerFor, composition, set, {
            til,
            kernels: true,
            thread,
          });
          const label = `${composition} ${til?.routing ?? 'routed'}`;
          assert.ok(maxDiff(one.scores, two.scores) < 1e-6, `${label}: scores`);
          assert.deepEqual(two.cil, one.cil, `${label}: CIL`);
          assert.deepEqual(two.til, one.til, `${label}: TIL`);
          compared++;
        }
      // 45 examples in batches of 32: two batches per prediction, each split over the threads.
      assert.equal(thread.sharedBatches, 2 * compared);
    } finally {
      thread.dispose();
    }
    backbone.dispose();
    tf.dispose([
      ...modules.flatMap((m) => [...adapterVariables(m), ...headVariables(m)]),
      ...routerVariables(router),
      ...isolatedHeads.flatMap((h) => [h.headW, h.headB]),
    ]);
  });
});
