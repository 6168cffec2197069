import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runExperiment } from '../../src/engine';
import type { MetricsFile } from '../../src/protocol/runFolder';
import type { ExperimentSpec } from '../../src/protocol/spec';
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

const all = ['lower', 'upper', 'oracle', 'epi', 'mocl', 'dam', 'softmax'] as const;

describe('baselines on a tiny stream', () => {
  it('produces CIL and TIL rows for every requested method', async () => {
    const metrics = await metricsOf(tinySpec({ baselines: [...all] }));
    const methods = new Set(metrics.rows.map((r) => `${r.method}/${r.setting}`));
    for (const m of [
      'lower',
      'upper',
      'epi',
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
