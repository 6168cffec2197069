import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDataFiles, parse, validate } from '../../../src/language';
import type { FileProbe } from '../../../src/language';

/** Validates `source` and returns "code@text" for each diagnostic: the code and the exact text it points at. */
function diagnose(source: string): string[] {
  return validate(parse(source)).map(
    (d) => `${d.severity}:${d.code ?? ''}@${source.slice(d.range.start, d.range.end)}`,
  );
}

const base = `
stream s {
  order main = [a, b]
}
task a { data = "a.jsonl" }
task b { data = "b.jsonl" }
`;

const cases: { name: string; source: string; expected: string[] }[] = [
  { name: 'a valid file', source: base, expected: [] },
  {
    name: 'feature replay with a bert backbone (ignored: it draws feature vectors)',
    source: base.replace(
      'order main = [a, b]',
      'order main = [a, b]\n  backbone { type = bert\n path = "m" }\n  router { feature_replay = 200 }',
    ),
    expected: ['warning:ignored@feature_replay'],
  },
  {
    name: 'feature replay with a vector backbone',
    source: base.replace('order main = [a, b]', 'order main = [a, b]\n  router { feature_replay = 200 }'),
    expected: [],
  },
  {
    name: 'the statistical baselines take their settings in blocks of their own',
    source: base.replace(
      'order main = [a, b]',
      'order main = [a, b]\n  baselines = [epi, lda, klda, ncm]\n  epi { covariance = per_task }\n  lda { shrinkage = 0.1 }\n  klda { features = 512\n bandwidth = 4\n ensemble = 5 }',
    ),
    expected: [],
  },
  {
    name: 'a baseline block without that baseline, and values out of range',
    source: base.replace(
      'order main = [a, b]',
      'order main = [a, b]\n  baselines = [lda]\n  klda { features = 8 }\n  lda { shrinkage = 1 }\n  epi { covariance = pooled }',
    ),
    expected: [
      'warning:unused-baseline-block@klda',
      'warning:unused-baseline-block@epi',
      'error:type@8',
      'error:type@1',
      'error:type@pooled',
    ],
  },
  {
    name: 'an unknown key, with did-you-mean',
    source: base.replace('order main = [a, b]', 'order main = [a, b]\n  adapter { epocsh = 3 }'),
    expected: ['error:unknown-key@epocsh'],
  },
  {
    name: 'a missing value',
    source: base.replace('order main = [a, b]', 'order main = [a, b]\n  seeds =\n  backend = wasm'),
    expected: ['error:syntax@='],
  },
  {
    name: 'a typo in a value keeps the rest of the file validating',
    source: base.replace('order main = [a, b]', 'order main = [a, b]\n  seeds = [1, 2\n  backend = wsm'),
    expected: ['error:syntax@[', 'error:type@wsm'],
  },
  {
    name: 'temperature must be > 0',
    source: base.replace('order main = [a, b]', 'order main = [a, b]\n  router { temperature = 0 }'),
    expected: ['error:type@0'],
  },
  {
    name: 'memory percent in (0, 100]',
    source: base.replace('order main = [a, b]', 'order main = [a, b]\n  memory { size = 150% }'),
    expected: ['error:type@150%'],
  },
  {
    name: 'bottleneck >= 1',
    source: base.replace('order main = [a, b]', 'order main = [a, b]\n  adapter { bottleneck = 0 }'),
    expected: ['error:type@0'],
  },
  {
    name: 'duplicate task names',
    source: `${base}task a { data = "x.jsonl" }\n`,
    expected: ['error:duplicate-task@a'],
  },
  {
    name: 'an order naming an unknown task',
    source: base.replace('[a, b]', '[a, b, c]'),
    expected: ['error:unknown-task@c'],
  },
  {
    name: 'an order missing a task',
    source: base.replace('[a, b]', '[a]'),
    expected: ['error:order-missing-task@main'],
  },
  {
    name: 'an order repeating a task',
    source: base.replace('[a, b]', '[a, b, a]'),
    expected: ['error:order-duplicate-task@a'],
  },
  {
    name: 'a task without data',
    source: base.replace('task b { data = "b.jsonl" }', 'task b { }'),
    expected: ['error:missing-data@b'],
  },
  {
    name: 'a wrong type',
    source: base.replace('order main = [a, b]', 'order main = [a, b]\n  seeds = 3'),
    expected: ['error:type@3'],
  },
  {
    name: 'an unknown enum value, with did-you-mean',
    source: base.replace('order main = [a, b]', 'order main = [a, b]\n  compose = [wavg, merj]'),
    expected: ['error:type@merj'],
  },
  {
    name: 'an unterminated string',
    source: base.replace('"a.jsonl"', '"a.jsonl'),
    expected: ['error:syntax@"a.jsonl'],
  },
  {
    name: 'a block written as a property',
    source: base.replace('order main = [a, b]', 'order main = [a, b]\n  backbone = glove100'),
    expected: ['error:expected-block@backbone'],
  },
  {
    name: 'a bert backbone without a path',
    source: base.replace('order main = [a, b]', 'order main = [a, b]\n  backbone { type = bert }'),
    expected: ['error:missing-path@backbone'],
  },
  {
    name: 'a stray character',
    source: base.replace('order main', '@ order main'),
    expected: ['error:syntax@@'],
  },
];

describe('diagnostics: one typo, one diagnostic at the right place', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(diagnose(c.source), c.expected);
    });
  }

  it('offers the did-you-mean replacement as a fix', () => {
    const source = base.replace('order main = [a, b]', 'order main = [a, b]\n  adapter { epocsh = 3 }');
    const [d] = validate(parse(source));
    assert.match(d?.message ?? '', /did you mean 'epochs'/);
    assert.deepEqual(
      d?.fixes?.map((f) => f.newText),
      ['epochs'],
    );
  });
});

describe('data-file checks (injected file system)', () => {
  const files: Record<string, string> = {
    '/w/a.jsonl': '{"text":"x","label":"pos"}\n{"text":"y","label":"neg"}\n',
    '/w/b.jsonl': '{"body":"x","label":"pos"}\n',
  };
  const probe: FileProbe = {
    exists: (p) => Promise.resolve(p in files),
    head: (p) => Promise.resolve(files[p]),
    size: (p) => Promise.resolve(files[p]?.length),
  };

  it('reports a missing file at its path, and a missing field', async () => {
    const source = base
      .replace('"b.jsonl"', '"b.jsonl"\n  text = "text"')
      .replace('"a.jsonl"', '"missing.jsonl"');
    const found = await checkDataFiles(parse(source), '/w/s.l2r', probe);
    const at = found.map((d) => `${d.code ?? ''}@${source.slice(d.range.start, d.range.end)}`);
    assert.deepEqual(at.sort(), ['missing-field@"text"', 'missing-file@"missing.jsonl"']);
  });

  it('warns when class-incremental tasks share label names', async () => {
    const source = base.replace('"b.jsonl"', '"a.jsonl"');
    const found = await checkDataFiles(parse(source), '/w/s.l2r', probe);
    assert.deepEqual(
      found.map((d) => d.code),
      ['shared-label'],
    );
  });

  it('warns when the memory is larger than the task', async () => {
    const source = base
      .replace('order main = [a, b]', 'order main = [a, b]\n  memory { size = 50 }')
      .replace('"b.jsonl"', '"b.jsonl"\n  text = "body"');
    const found = await checkDataFiles(parse(source), '/w/s.l2r', probe);
    assert.ok(
      found.some((d) => d.code === 'memory-too-large'),
      JSON.stringify(found),
    );
  });

  it('reports a bert folder without its files', async () => {
    const source = base
      .replace('order main = [a, b]', 'order main = [a, b]\n  backbone { type = bert  path = "model" }')
      .replace('"b.jsonl"', '"b.jsonl"\n  text = "body"');
    const found = await checkDataFiles(parse(source), '/w/s.l2r', probe);
    const bert = found.find((d) => d.code === 'bert-folder');
    assert.match(bert?.message ?? '', /config\.json, model\.safetensors, vocab\.txt/);
  });
});
