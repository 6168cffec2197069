import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runExperiment } from '../../src/engine';
import type { MetricsFile } from '../../src/protocol/runFolder';
import type { ExperimentSpec, TaskSpec } from '../../src/protocol/spec';
import { gloveFile, tempDir, wasmTf } from './helpers';
import { tinySpec } from './specFixture';

async function metricsOf(spec: ExperimentSpec): Promise<MetricsFile> {
  const tf = await wasmTf();
  const outcome = await runExperiment(spec, {
    runDir: tempDir('l2r-baselines-'),
    tf,
    backend: 'wasm',
    resume: false,
    gloveFile,
    shouldStop: () => false,
    onEvent: () => undefined,
  });
  assert.equal(outcome.kind, 'completed');
  return (outcome as { metrics: MetricsFile }).metrics;
}

const all = ['lower', 'upper', 'oracle', 'epi', 'lda', 'klda', 'ncm', 'mocl', 'dam', 'softmax'] as const;

describe('baselines on a tiny stream', () => {
  it('produces CIL and TIL rows for every requested method', async () => {
    const metrics = await metricsOf(tinySpec({ baselines: [...all] }));
    const methods = new Set(metrics.rows.map((r) => `${r.method}/${r.setting}`));
    for (const m of [
      'lower',
      'upper',
      'epi',
      'lda',
      'klda',
      'ncm',
      'mocl',
      'dam',
      'softmax-wavg',
      'softmax-merge',
      'l2r-wavg',
      'l2r-merge',
    ]) {
      assert.ok(methods.has(`${m}/cil`) && methods.has(`${m}/til`), m);
    }
    assert.ok(methods.has('oracle/til'));
    const lower = metrics.matrices.find((m) => m.method === 'lower' && m.setting === 'cil');
    assert.equal(lower?.r.length, 2, 'the lower bound is evaluated after every task');
  });

  it('sweeps memory sizes with the same adapters in one run', async () => {
    const spec = tinySpec();
    const metrics = await metricsOf(tinySpec({ memory: { ...spec.memory, sweep: [5, 50] } }));
    const sweep = metrics.aggregate
      .filter((a) => a.method === 'l2r-wavg' && a.memory !== undefined)
      .map((a) => `${a.memory ?? ''}/${a.setting}`);
    assert.deepEqual(sweep.sort(), ['5%/cil', '5%/til', '50%/cil', '50%/til']);
  });

  it('the lower bound forgets the first task in the class-incremental setting', async () => {
    const metrics = await metricsOf(tinySpec({ baselines: ['lower'] }));
    const lower = metrics.rows.find((r) => r.method === 'lower' && r.setting === 'cil');
    const matrix = metrics.matrices.find((m) => m.method === 'lower' && m.setting === 'cil');
    const first = matrix?.tasks[0] ?? '';
    assert.ok(
      (matrix?.r[1]?.[0] ?? 0) < (matrix?.r[0]?.[0] ?? 0),
      `accuracy on ${first} fell: ${JSON.stringify(matrix?.r)}`,
    );
    assert.ok((lower?.forgetting ?? 0) > 0);
    assert.ok((lower?.bwt ?? 0) < 0);
  });

  it("the oracle's accuracy on a task is that task's single-task accuracy", async () => {
    const stream = tinySpec();
    const firstTask = stream.tasks[0]!;
    const single = await metricsOf(
      tinySpec({
        tasks: [firstTask, stream.tasks[1]!],
        orders: [{ name: 'main', tasks: [firstTask.name, stream.tasks[1]!.name] }],
      }),
    );
    const alone = await metricsOf(
      tinySpec({ tasks: [firstTask], orders: [{ name: 'main', tasks: [firstTask.name] }] }),
    );
    const oracle = (m: MetricsFile) => m.rows.find((r) => r.method === 'oracle')?.perTask[firstTask.name];
    assert.ok(oracle(alone) !== undefined);
    assert.equal(
      oracle(single),
      oracle(alone),
      'the task learned alone scores what the oracle reports inside the stream',
    );
  });
});

/** Writes a small JSONL task whose classes are word families, so tasks and classes are clearly separable. */
function syntheticTask(
  dir: string,
  name: string,
  families: Record<string, string[]>,
  n: number,
  seed: number,
): TaskSpec {
  let s = seed;
  const next = (k: number): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % k;
  };
  const rows = (count: number): string =>
    Array.from({ length: count }, (_, i) => {
      const labels = Object.keys(families);
      const label = labels[i % labels.length] ?? '';
      const words = families[label] ?? [];
      const text = Array.from({ length: 6 }, () => words[next(words.length)]).join(' ');
      return JSON.stringify({ text, label });
    }).join('\n');
  writeFileSync(join(dir, `${name}.train.jsonl`), rows(n));
  writeFileSync(join(dir, `${name}.test.jsonl`), rows(Math.round(n / 2)));
  return {
    name,
    data: {
      train: join(dir, `${name}.train.jsonl`),
      test: join(dir, `${name}.test.jsonl`),
      format: 'jsonl',
      textField: 'text',
      labelField: 'label',
    },
  };
}

describe('baselines where their behaviour is known', () => {
  const dir = tempDir('l2r-synthetic-');
  const colours = syntheticTask(
    dir,
    'colours',
    {
      warm: ['red', 'crimson', 'scarlet', 'orange', 'amber', 'ruby'],
      cool: ['blue', 'azure', 'navy', 'teal', 'cyan', 'indigo'],
    },
    60,
    1,
  );
  const animals = syntheticTask(
    dir,
    'animals',
    {
      mammal: ['dog', 'puppy', 'horse', 'cow', 'sheep', 'goat'],
      bird: ['eagle', 'sparrow', 'hawk', 'owl', 'parrot', 'pigeon'],
    },
    60,
    2,
  );
  const base = tinySpec();
  // Enough epochs for these small, easy tasks to be learned (tinySpec trains one epoch only).
  const adapter = { bottleneck: 8, epochs: 20, lr: 1e-2, batchSize: 16 };

  it('with one task, every composition and every router is that task alone: all TIL rows equal the oracle', async () => {
    const metrics = await metricsOf(
      tinySpec({
        tasks: [colours],
        orders: [{ name: 'main', tasks: ['colours'] }],
        baselines: ['epi', 'mocl', 'dam', 'softmax'],
        adapter,
        // Task supervision on (the default) must also work with a single adapter.
        router: { ...base.router, tuneHeads: false, taskSupervision: 1 },
      }),
    );
    const oracle = metrics.rows.find((r) => r.method === 'oracle')?.accuracy;
    assert.ok(oracle !== undefined && oracle > 50);
    for (const method of ['l2r-wavg', 'l2r-merge', 'softmax-wavg', 'softmax-merge', 'epi', 'mocl', 'dam']) {
      assert.equal(
        metrics.rows.find((r) => r.method === method && r.setting === 'til')?.accuracy,
        oracle,
        method,
      );
    }
  });

  it('EPI-like predicts TIL with the known task, so its TIL equals the oracle', async () => {
    const metrics = await metricsOf(
      tinySpec({
        tasks: [colours, animals],
        orders: [{ name: 'main', tasks: ['colours', 'animals'] }],
        baselines: ['epi', 'upper', 'lower'],
        adapter,
      }),
    );
    const til = (m: string): number | undefined =>
      metrics.rows.find((r) => r.method === m && r.setting === 'til')?.accuracy;
    assert.equal(til('epi'), til('oracle'));
    const mixed = await metricsOf(tinySpec({ baselines: ['epi'] }));
    const tilOf = (m: string): number | undefined =>
      mixed.rows.find((r) => r.method === m && r.setting === 'til')?.accuracy;
    assert.equal(tilOf('epi'), tilOf('oracle'), 'also where the task is not always identified');
    const cil = (m: string): number =>
      metrics.rows.find((r) => r.method === m && r.setting === 'cil')?.accuracy ?? 0;
    assert.ok(
      cil('upper') > cil('lower'),
      `joint training (${cil('upper')}) beats sequential fine-tuning (${cil('lower')}) in CIL`,
    );
  });
});

describe('the statistical baselines and the statistics prior', () => {
  const dir = tempDir('l2r-statistical-');
  const fruit = syntheticTask(
    dir,
    'fruit',
    {
      citrus: ['lemon', 'lime', 'orange', 'grapefruit'],
      berry: ['strawberry', 'raspberry', 'blueberry', 'cherry'],
    },
    60,
    3,
  );
  const tools = syntheticTask(
    dir,
    'tools',
    { cutting: ['knife', 'saw', 'scissors', 'axe'], striking: ['hammer', 'mallet', 'sledgehammer', 'club'] },
    60,
    4,
  );
  const spec = tinySpec({ tasks: [fruit, tools], orders: [{ name: 'main', tasks: ['fruit', 'tools'] }] });

  it('separate word families with class means alone, in CIL and TIL, and EPI can use either covariance', async () => {
    const shared = await metricsOf({ ...spec, baselines: ['epi', 'lda', 'klda', 'ncm'] });
    for (const method of ['lda', 'klda', 'ncm'])
      for (const setting of ['cil', 'til'] as const) {
        const accuracy = shared.rows.find((r) => r.method === method && r.setting === setting)?.accuracy ?? 0;
        assert.ok(accuracy > 90, `${method} ${setting}: ${accuracy}`);
      }
    const perTask = await metricsOf({
      ...spec,
      baselines: ['epi'],
      baselineOptions: { ...spec.baselineOptions, epi: { covariance: 'per_task' } },
    });
    assert.ok(perTask.rows.some((r) => r.method === 'epi' && r.setting === 'cil'));
  });

  it('the statistics prior changes CIL only: TIL is the same with and without it', async () => {
    const without = await metricsOf(spec);
    const withPrior = await metricsOf({ ...spec, router: { ...spec.router, statisticsPrior: 1 } });
    const row = (m: MetricsFile, method: string, setting: string) =>
      m.rows.find((r) => r.method === method && r.setting === setting)?.accuracy;
    assert.equal(row(withPrior, 'l2r-wavg', 'til'), row(without, 'l2r-wavg', 'til'));
    assert.equal(row(withPrior, 'l2r-merge', 'til'), row(without, 'l2r-merge', 'til'));
    assert.ok((row(withPrior, 'l2r-wavg', 'cil') ?? 0) >= (row(without, 'l2r-wavg', 'cil') ?? 0) - 5);
  });
});

describe('TIL knows the task', () => {
  it("with the task's own adapter and isolated head, L2R's TIL is the oracle's; the heads TIL uses leave CIL alone", async () => {
    const base = tinySpec();
    const til = (m: MetricsFile, method: string): number | undefined =>
      m.rows.find((r) => r.method === method && r.setting === 'til')?.accuracy;
    const cil = (m: MetricsFile): number | undefined =>
      m.rows.find((r) => r.method === 'l2r-wavg' && r.setting === 'cil')?.accuracy;
    const own = await metricsOf(
      tinySpec({ router: { ...base.router, tuneHeads: true, tilHeads: 'isolated', tilRouting: 'task' } }),
    );
    assert.equal(til(own, 'l2r-wavg'), til(own, 'oracle'));
    assert.equal(til(own, 'l2r-merge'), til(own, 'oracle'));
    const tuned = await metricsOf(
      tinySpec({ router: { ...base.router, tuneHeads: true, tilHeads: 'tuned', tilRouting: 'routed' } }),
    );
    assert.equal(cil(tuned), cil(own), 'the same router and tuned heads predict CIL');
    // `own` reads the oracle off its TIL pass; `tuned` (TIL routed) predicts the oracle on its own.
    assert.equal(til(own, 'oracle'), til(tuned, 'oracle'), 'the reused oracle is the oracle');
  });
});

describe('routers retrained after every task', () => {
  it('fill an accuracy matrix for L2R, with forgetting and BWT in its rows', async () => {
    const base = tinySpec();
    const metrics = await metricsOf(tinySpec({ router: { ...base.router, schedule: 'after-each-task' } }));
    const matrix = metrics.matrices.find((m) => m.method === 'l2r-wavg' && m.setting === 'cil');
    assert.equal(matrix?.r.length, 2);
    assert.ok(
      (matrix?.r[0]?.[0] ?? 0) > 0,
      'the first row holds the accuracy on the first task after learning it',
    );
    const row = metrics.rows.find((r) => r.method === 'l2r-wavg' && r.setting === 'cil');
    assert.ok(row?.forgetting !== undefined && row.bwt !== undefined);
    // `+ 0` turns -0 into 0: no forgetting is a BWT of 0, not -0.
    assert.equal(row.bwt + 0, -(row.forgetting ?? 0) + 0, 'with two tasks, BWT is minus the forgetting');
  });
});
