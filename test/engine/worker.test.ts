import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runWorker } from '../../src/cli/workerHost';
import type { RunEvent } from '../../src/protocol/events';
import { RUN_FILES } from '../../src/protocol/runFolder';
import type { MemoryRecord, RunMeta } from '../../src/protocol/runFolder';
import { tempDir } from './helpers';
import { repoRoot, tinySpec } from './specFixture';

const script = join(repoRoot, 'dist', 'worker.js');

describe('the training worker process (dist/worker.js)', () => {
  it('runs a tiny stream to completion, reporting its backend and progress', async () => {
    const runDir = tempDir('l2r-worker-');
    const events: RunEvent[] = [];
    let backend = '';
    const end = await runWorker(
      script,
      { kind: 'start', spec: tinySpec(), runDir, resume: false },
      { onBackend: (b) => (backend = b), onEvent: (e) => events.push(e) },
    ).ended;
    assert.deepEqual(end, { kind: 'completed' });
    assert.equal(backend, 'wasm');
    assert.ok(events.some((e) => e.type === 'epoch-end'));
    const meta = JSON.parse(readFileSync(join(runDir, RUN_FILES.meta), 'utf8')) as RunMeta;
    assert.equal(meta.status, 'completed');
    assert.ok(meta.headline?.cil !== undefined);
    for (const f of [
      RUN_FILES.metrics,
      RUN_FILES.results,
      RUN_FILES.routing,
      RUN_FILES.memory,
      RUN_FILES.events,
      RUN_FILES.spec,
    ])
      assert.ok(existsSync(join(runDir, f)), f);
    // Every memory example carries the final router's scores: layers x adapters, each in [0, 1].
    const spec = tinySpec();
    const records = readFileSync(join(runDir, RUN_FILES.memory), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as MemoryRecord);
    assert.ok(records.length > 0);
    for (const r of records) {
      assert.equal(r.scores?.length, 2, 'a row of scores per layer (the fixture has 2)');
      for (const layer of r.scores ?? []) {
        assert.equal(layer.length, spec.tasks.length, 'a score per adapter');
        assert.ok(layer.every((v) => v >= 0 && v <= 1));
      }
    }
  });

  it('fails with an actionable message on bad data, and records it in the run folder', async () => {
    const runDir = tempDir('l2r-worker-bad-');
    const bad = join(runDir, 'bad.jsonl');
    writeFileSync(bad, '{"text":"a","label":"x","doc":"1"}\n{broken\n');
    const spec = tinySpec();
    const broken = {
      ...spec,
      tasks: [{ ...spec.tasks[0]!, data: { ...spec.tasks[0]!.data, train: bad } }, spec.tasks[1]!],
    };
    const end = await runWorker(
      script,
      { kind: 'start', spec: broken, runDir, resume: false },
      { onBackend: () => undefined, onEvent: () => undefined },
    ).ended;
    assert.equal(end.kind, 'failed');
    assert.match(end.kind === 'failed' ? end.message : '', /bad\.jsonl:2: not valid JSON/);
    const meta = JSON.parse(readFileSync(join(runDir, RUN_FILES.meta), 'utf8')) as RunMeta;
    assert.equal(meta.status, 'failed');
  });

  it('stops on cancel and reports cancelled', async () => {
    const runDir = tempDir('l2r-worker-cancel-');
    const worker = runWorker(
      script,
      {
        kind: 'start',
        spec: tinySpec({ adapter: { bottleneck: 8, epochs: 50, lr: 1e-3, batchSize: 8 } }),
        runDir,
        resume: false,
      },
      {
        onBackend: () => undefined,
        onEvent: (e) => {
          if (e.type === 'epoch-end') worker.cancel();
        },
      },
    );
    assert.deepEqual(await worker.ended, { kind: 'cancelled' });
  });
});
