import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runExperiment } from '../../src/engine';
import type { RunEvent } from '../../src/protocol/events';
import type { MetricsFile } from '../../src/protocol/runFolder';
import type { ExperimentSpec } from '../../src/protocol/spec';
import { gloveFile, tempDir, wasmDir, wasmTf } from './helpers';
import { repoRoot, tinySpec } from './specFixture';
import { AdapterPool } from '../../src/engine/parallel/adapterPool';
import { Checkpoints } from '../../src/engine/run/checkpoint';

const adapterThread = { script: join(repoRoot, 'src', 'engine', 'parallel', 'adapterThread.ts'), wasmDir };

async function run(
  spec: ExperimentSpec,
  threads: number,
  options: {
    runDir?: string;
    resume?: boolean;
    stopWhen?: (e: RunEvent) => boolean;
  } = {},
): Promise<{ metrics?: MetricsFile; events: RunEvent[]; runDir: string }> {
  const events: RunEvent[] = [];
  const runDir = options.runDir ?? tempDir('l2r-parallel-');
  let stop = false;
  const outcome = await runExperiment(spec, {
    runDir,
    tf: await wasmTf(),
    backend: 'wasm',
    resume: options.resume ?? false,
    gloveFile,
    shouldStop: () => stop,
    onEvent: (e) => {
      events.push(e);
      if (options.stopWhen?.(e) === true) stop = true;
    },
    adapterThread,
    threads,
  });
  return { metrics: outcome.kind === 'completed' ? outcome.metrics : undefined, events, runDir };
}

/** Every number of a run that must not depend on where its adapters trained. */
function numbers(m: MetricsFile | undefined): unknown {
  return m?.rows.map((r) => [r.method, r.setting, r.memory, r.accuracy, r.macroF1, r.perTask]);
}

describe('isolated adapters trained in a worker thread', () => {
  const base = tinySpec();
  // Three tasks: the second trains in the thread while the engine trains the first and third.
  const spec = tinySpec({
    tasks: [...base.tasks, { ...base.tasks[0]!, name: `${base.tasks[0]!.name}_again` }],
    orders: [{ name: 'main', tasks: [...base.tasks.map((t) => t.name), `${base.tasks[0]!.name}_again`] }],
    adapter: { ...base.adapter, epochs: 2 },
  });

  it('gives exactly the numbers of training them all in one thread, with the same events per task', async () => {
    const one = await run(spec, 1);
    const two = await run(spec, 2);
    const threaded = (events: RunEvent[]): string[] =>
      events.flatMap((e) => (e.type === 'log' && /adapter thread/.test(e.message) ? [e.message] : []));
    assert.deepEqual(threaded(one.events), []);
    assert.deepEqual(threaded(two.events), [
      `s1-main-adapter-${spec.orders[0]!.tasks[1]}: trained in an adapter thread.`,
    ]);
    assert.deepEqual(numbers(two.metrics), numbers(one.metrics));
    const epochs = (events: RunEvent[]): string[] =>
      events.flatMap((e) =>
        e.type === 'epoch-end' && e.phase === 'adapter' ? [`${e.task ?? ''}:${e.epoch}`] : [],
      );
    assert.deepEqual(epochs(two.events), epochs(one.events), 'epoch-end events in stream order');
    const state = JSON.parse(readFileSync(join(two.runDir, 'state.json'), 'utf8')) as {
      completed: string[];
    };
    for (const name of spec.orders[0]!.tasks)
      assert.ok(state.completed.includes(`s1-main-adapter-${name}`), `${name} recorded as complete`);
    // Two helpers: the second and third tasks each go to one.
    const three = await run(spec, 3);
    assert.deepEqual(
      threaded(three.events),
      spec.orders[0]!.tasks.slice(1).map((t) => `s1-main-adapter-${t}: trained in an adapter thread.`),
    );
    assert.deepEqual(numbers(three.metrics), numbers(one.metrics));
  });

  it("a stop while the engine waits on the thread keeps the thread's epochs, and a resume ends with the same numbers", async () => {
    const whole = await run(spec, 1);
    const second = spec.orders[0]!.tasks[1];
    const stopped = await run(spec, 2, {
      // The engine reaches the second task (the thread's) and its first epoch has been replayed.
      stopWhen: (e) => e.type === 'epoch-end' && e.task === second && e.epoch === 1,
    });
    assert.equal(stopped.metrics, undefined, 'the run stopped');
    const state = JSON.parse(readFileSync(join(stopped.runDir, 'state.json'), 'utf8')) as {
      completed: string[];
      epochs?: Record<string, number>;
    };
    const unit = `s1-main-adapter-${second}`;
    assert.ok(
      state.completed.includes(unit) || (state.epochs?.[unit] ?? 0) >= 1,
      `the thread's work on ${second} is on disk: ${JSON.stringify(state)}`,
    );
    const resumed = await run(spec, 2, { runDir: stopped.runDir, resume: true });
    assert.deepEqual(numbers(resumed.metrics), numbers(whole.metrics));
  });

  it("a stop as the engine claims a helper's task keeps the helper's epoch checkpoints, which the engine resumes from", async () => {
    const longer = { ...spec, adapter: { ...spec.adapter, epochs: 4 } };
    const whole = await run(longer, 1);
    const second = longer.orders[0]!.tasks[1];
    const unit = `s1-main-adapter-${second}`;
    const stopped = await run(longer, 2, {
      // The first replayed epoch of the helper's task: after it, the engine must not claim the task.
      stopWhen: (e) => e.type === 'epoch-end' && e.task === second && e.epoch === 1,
    });
    assert.equal(stopped.metrics, undefined, 'the run stopped');
    const state = JSON.parse(readFileSync(join(stopped.runDir, 'state.json'), 'utf8')) as {
      completed: string[];
      epochs?: Record<string, number>;
    };
    assert.ok(!state.completed.includes(unit), `${second} was not claimed: ${JSON.stringify(state)}`);
    assert.ok(
      (state.epochs?.[unit] ?? 0) >= 1,
      `the helper's epochs of ${second} are on disk: ${JSON.stringify(state)}`,
    );
    // One thread: the engine itself continues the helper's unit from its last checkpoint.
    const resumed = await run(longer, 1, { runDir: stopped.runDir, resume: true });
    assert.deepEqual(numbers(resumed.metrics), numbers(whole.metrics));
  });

  it('is not used where it cannot help: one thread, a native backend, a token backbone, one task', () => {
    const checkpoints = new Checkpoints(tempDir('l2r-pool-'));
    assert.equal(AdapterPool.create(spec, 'wasm', true, 1, adapterThread, checkpoints), undefined);
    assert.equal(AdapterPool.create(spec, 'node', true, 4, adapterThread, checkpoints), undefined);
    assert.equal(AdapterPool.create(spec, 'gpu', true, 4, adapterThread, checkpoints), undefined);
    const bert = { ...spec, backbone: { type: 'bert' as const, path: '/x', maxLength: 64 } };
    assert.equal(AdapterPool.create(bert, 'wasm', true, 4, adapterThread, checkpoints), undefined);
    const single = tinySpec({
      tasks: [base.tasks[0]!],
      orders: [{ name: 'main', tasks: [base.tasks[0]!.name] }],
    });
    assert.equal(AdapterPool.create(single, 'wasm', true, 4, adapterThread, checkpoints), undefined);
    assert.equal(AdapterPool.create(spec, 'wasm', true, 4, undefined, checkpoints), undefined);
  });
});
