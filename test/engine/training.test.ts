import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runExperiment } from '../../src/engine';
import type { RunOptions } from '../../src/engine';
import { createVectorBackbone } from '../../src/engine/model/backbone';
import { createTaskModule, adapterVariables, headVariables } from '../../src/engine/model/params';
import { createRandom } from '../../src/engine/random';
import { trainAdapter } from '../../src/engine/train/trainAdapter';
import type { RunEvent } from '../../src/protocol/events';
import type { MetricsFile } from '../../src/protocol/runFolder';
import type { ExperimentSpec } from '../../src/protocol/spec';
import { gloveFile, tempDir, wasmTf } from './helpers';
import { tinySpec } from './specFixture';

async function run(
  spec: ExperimentSpec,
  overrides: Partial<RunOptions> = {},
): Promise<{ metrics?: MetricsFile; events: RunEvent[]; runDir: string }> {
  const tf = await wasmTf();
  const events: RunEvent[] = [];
  const runDir = overrides.runDir ?? tempDir('l2r-run-');
  const outcome = await runExperiment(spec, {
    runDir,
    tf,
    backend: 'wasm',
    resume: false,
    gloveFile,
    shouldStop: () => false,
    onEvent: (e) => events.push(e),
    ...overrides,
  });
  return { metrics: outcome.kind === 'completed' ? outcome.metrics : undefined, events, runDir };
}

const numbers = (m: MetricsFile | undefined): unknown =>
  m?.rows.map((r) => [r.method, r.setting, r.accuracy, r.perTask]);

describe('isolation: training a new task leaves earlier adapters and heads bit-identical', () => {
  it('keeps task 1 exactly as it was after task 2 trains', async () => {
    const tf = await wasmTf();
    const frozen = createVectorBackbone(tf, 2, 16, createRandom(1));
    const first = createTaskModule(tf, 'a', ['x', 'y'], 2, 16, 4, createRandom(2));
    const second = createTaskModule(tf, 'b', ['p', 'q', 'r'], 2, 16, 4, createRandom(3));
    const data = (classes: number) => ({
      x: Float32Array.from({ length: 64 * 16 }, (_, i) => Math.sin(i)),
      labels: Int32Array.from({ length: 64 }, (_, i) => i % classes),
      dim: 16,
    });
    const spec = { bottleneck: 4, epochs: 2, lr: 1e-2, batchSize: 16 };
    await trainAdapter(tf, first, frozen, data(2), spec, (e) => createRandom(4, e));
    const snapshot = await Promise.all(
      [...adapterVariables(first), ...headVariables(first)].map(async (v) => Array.from(await v.data())),
    );
    const secondBefore = Array.from(
      await (adapterVariables(second)[0]?.data() ?? Promise.resolve(new Float32Array())),
    );
    await trainAdapter(tf, second, frozen, data(3), spec, (e) => createRandom(5, e));
    const after = await Promise.all(
      [...adapterVariables(first), ...headVariables(first)].map(async (v) => Array.from(await v.data())),
    );
    assert.deepEqual(after, snapshot);
    const secondAfter = Array.from(
      await (adapterVariables(second)[0]?.data() ?? Promise.resolve(new Float32Array())),
    );
    assert.notDeepEqual(secondAfter, secondBefore, 'the new task did train');
    tf.dispose([
      ...adapterVariables(first),
      ...headVariables(first),
      ...adapterVariables(second),
      ...headVariables(second),
    ]);
    frozen.dispose();
  });
});

describe('runs', () => {
  it('completes, writes every run file, and leaks no tensors across epochs', async () => {
    const tf = await wasmTf();
    const before = tf.memory().numTensors;
    const counts = new Map<string, number[]>();
    const { metrics } = await run(
      tinySpec({ adapter: { bottleneck: 8, epochs: 3, lr: 3e-3, batchSize: 32 } }),
      {
        onEvent: (e) => {
          if (e.type !== 'epoch-end') return;
          const key = `${e.phase}/${e.task ?? ''}`;
          counts.set(key, [...(counts.get(key) ?? []), tf.memory().numTensors]);
        },
      },
    );
    assert.ok(metrics !== undefined);
    assert.ok(metrics.rows.some((r) => r.method === 'l2r-wavg' && r.setting === 'cil'));
    assert.ok(metrics.rows.some((r) => r.method === 'l2r-merge' && r.setting === 'til'));
    assert.equal(tf.memory().numTensors, before, 'every tensor is disposed at the end');
    // Within a phase the count must not grow from epoch to epoch.
    assert.ok(counts.size >= 3);
    for (const [phase, perEpoch] of counts) {
      assert.ok(perEpoch.length >= 2, phase);
      assert.ok(
        perEpoch.every((c) => c === perEpoch[0]),
        `${phase}: ${perEpoch.join(', ')}`,
      );
    }
  });

  it('is deterministic: same seed, same backend, same numbers', async () => {
    const a = await run(tinySpec());
    const b = await run(tinySpec());
    assert.deepEqual(numbers(a.metrics), numbers(b.metrics));
  });

  it('gives the same numbers after a task and an order are renamed (seeds follow positions)', async () => {
    const a = await run(tinySpec());
    const renamed = tinySpec();
    const tasks = renamed.tasks.map((t) => (t.name === 'spam' ? { ...t, name: 'spamassassin' } : t));
    const b = await run({
      ...renamed,
      tasks,
      orders: [{ name: 'first', tasks: tasks.map((t) => t.name) }],
    });
    const values = (m: MetricsFile | undefined): unknown =>
      m?.rows.map((r) => [r.method, r.setting, r.accuracy, Object.values(r.perTask)]);
    assert.ok((a.metrics?.rows.length ?? 0) > 0);
    assert.deepEqual(values(b.metrics), values(a.metrics));
  });

  it('keeps the memory within its budget', async () => {
    const { events } = await run(
      tinySpec({ memory: { size: { kind: 'count', value: 7 }, strategy: 'balanced' } }),
    );
    const updates = events.filter(
      (e): e is Extract<RunEvent, { type: 'memory-updated' }> => e.type === 'memory-updated',
    );
    assert.equal(updates.length, 2);
    for (const u of updates) assert.ok(u.size <= 7 && u.budget === 7);
  });

  it('trains the routers on the memory plus feature replay, and only then', async () => {
    const routerSteps = async (featureReplay: number): Promise<number | undefined> => {
      const spec = tinySpec({
        memory: { size: { kind: 'count', value: 7 }, strategy: 'balanced' },
        baselines: [],
      });
      const { events } = await run({ ...spec, router: { ...spec.router, featureReplay, batchSize: 8 } });
      const said = events.some(
        (e) => e.type === 'log' && e.message.includes(`${2 * featureReplay} feature-replay pseudo-examples`),
      );
      assert.equal(said, featureReplay > 0, 'the log says what the router trains on when it replays');
      return events.find(
        (e): e is Extract<RunEvent, { type: 'progress' }> => e.type === 'progress' && e.phase === 'router',
      )?.steps;
    };
    // Two tasks: 14 memory examples, then 2 x 25 pseudo-examples; batches of 8.
    assert.equal(await routerSteps(0), 2);
    assert.equal(await routerSteps(25), 8);
  });

  it('resumes a stopped run from its last completed epoch, with the same final numbers', async () => {
    // Three adapter epochs: the stop lands inside the second task's adapter training.
    const spec = tinySpec({ adapter: { bottleneck: 8, epochs: 3, lr: 3e-3, batchSize: 32 } });
    const reference = await run(spec);
    let epochs = 0;
    const stopped = await run(spec, {
      shouldStop: () => epochs >= 4,
      onEvent: (e) => {
        if (e.type === 'epoch-end') epochs++;
      },
    });
    assert.equal(stopped.metrics, undefined, 'the first attempt was stopped');
    const state = JSON.parse(readFileSync(join(stopped.runDir, 'state.json'), 'utf8')) as {
      epochs?: Record<string, number>;
    };
    assert.deepEqual(Object.values(state.epochs ?? {}), [1], 'one epoch of the interrupted unit is on disk');
    const resumedEpochs: number[] = [];
    const resumed = await run(spec, {
      runDir: stopped.runDir,
      resume: true,
      onEvent: (e) => {
        if (e.type === 'epoch-end' && e.phase === 'adapter') resumedEpochs.push(e.epoch);
      },
    });
    assert.deepEqual(resumedEpochs, [2, 3], 'only the epochs not yet done are trained again');
    assert.ok(resumed.metrics !== undefined);
    assert.deepEqual(numbers(resumed.metrics), numbers(reference.metrics));
  });
});
