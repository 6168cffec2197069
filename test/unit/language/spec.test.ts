import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { format, loadStreamFile, parse, toExperimentSpec } from '../../../src/language';

const examples = join(import.meta.dirname, '..', '..', '..', 'examples');
const files = readdirSync(examples, { withFileTypes: true })
  .filter((f) => f.isFile() && f.name.endsWith('.l2r'))
  .map((f) => f.name);

describe('examples', () => {
  for (const file of files) {
    it(`${file} validates and formats idempotently`, async () => {
      const { spec, diagnostics } = await loadStreamFile(join(examples, file));
      assert.deepEqual(
        diagnostics.filter((d) => d.severity === 'error'),
        [],
      );
      assert.ok(spec !== undefined);
      const source = readFileSync(join(examples, file), 'utf8');
      const once = format(source);
      assert.ok(once !== undefined);
      assert.equal(format(once), once);
    });
  }
});

describe('ExperimentSpec', () => {
  it('fills defaults, resolves paths against the file, and maps names', () => {
    const doc = parse(
      'stream s {\n  order o = [a]\n  router { activation = softmax  schedule = after_each_task }\n}\ntask a { data = "d/a.csv" }\n',
    );
    const stream = doc.streams[0];
    assert.ok(stream !== undefined);
    const spec = toExperimentSpec(doc, stream, '/home/u/exp/s.l2r');
    assert.equal(spec.tasks[0]?.data.train, '/home/u/exp/d/a.csv');
    assert.equal(spec.tasks[0]?.data.format, 'csv');
    assert.equal(spec.tasks[0]?.data.testSplit, 0.2);
    assert.equal(spec.router.activation, 'softmax');
    assert.equal(spec.router.schedule, 'after-each-task');
    assert.equal(spec.adapter.bottleneck, 64);
    assert.deepEqual(spec.memory.size, { kind: 'percent', value: 2 });
    assert.equal(spec.output, '/home/u/exp/.l2r/runs');
    assert.deepEqual(spec.seeds, [1]);
    assert.equal(spec.router.tilHeads, 'isolated');
    assert.equal(spec.router.tilRouting, 'task');
    assert.equal(spec.router.headAnchor, 0);
    assert.equal(spec.router.featureReplay, 300);
    assert.equal(spec.router.replayCovariance, 'full');
    assert.equal(spec.router.batchSize, 64);
    assert.equal(spec.router.lr, 2e-3);
  });

  it('applies the paper preset, and keys in the file win over it', () => {
    const doc = parse(
      'stream s {\n  preset = paper\n  router { epochs = 7 }\n}\ntask a { data = "a.jsonl" }\n',
    );
    const spec = toExperimentSpec(doc, doc.streams[0]!, '/x/s.l2r');
    assert.equal(spec.preset, 'paper');
    assert.equal(spec.router.tuneHeads, false);
    assert.equal(spec.router.taskSupervision, 0);
    assert.equal(spec.router.minSteps, 0);
    assert.equal(spec.router.tilRouting, 'routed', 'TIL routes as CIL does, as in the paper');
    assert.equal(spec.router.headAnchor, 0);
    assert.equal(spec.router.featureReplay, 0, 'the memory alone, as in the paper');
    assert.equal(spec.router.batchSize, 32);
    assert.equal(spec.router.lr, 1e-3);
    assert.equal(spec.memory.strategy, 'random');
    assert.equal(spec.router.epochs, 7);
    assert.equal(spec.backbone.type === 'glove100' && spec.backbone.charNgrams, false);
  });

  it('uses declaration order when no order is given', () => {
    const doc = parse('stream s { }\ntask b { data = "b.jsonl" }\ntask a { data = "a.jsonl" }\n');
    assert.deepEqual(toExperimentSpec(doc, doc.streams[0]!, '/x/s.l2r').orders, [
      { name: 'declared', tasks: ['b', 'a'] },
    ]);
  });
});

describe('formatting', () => {
  it('lays out a cramped file canonically and keeps comments', () => {
    const source =
      'stream s{order main=[a,b] # the order\nadapter{epochs=3 lr=1e-3}}\n// tasks\ntask a{data="a.jsonl"}\ntask b{data="b.jsonl"}';
    const out = format(source);
    assert.equal(
      out,
      'stream s {\n  order main = [a, b] # the order\n  adapter {\n    epochs = 3\n    lr = 1e-3\n  }\n}\n\n// tasks\ntask a {\n  data = "a.jsonl"\n}\n\ntask b {\n  data = "b.jsonl"\n}\n',
    );
    assert.equal(format(out ?? ''), out);
  });

  it('refuses to format a file with syntax errors', () => {
    assert.equal(format('stream s { seeds = [1, }'), undefined);
  });
});
