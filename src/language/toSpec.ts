import { dirname, extname, isAbsolute, join, normalize } from 'node:path';
import type {
  Baseline,
  BackboneSpec,
  BackendPreference,
  Composition,
  DataFormat,
  EpiCovariance,
  ExperimentSpec,
  MemoryStrategy,
  ReplayCovariance,
  RouterActivation,
  Setting,
  TaskSpec,
  TilHeads,
  TilRouting,
} from '../protocol/spec';
import { SPEC_VERSION } from '../protocol/spec';
import type { BlockNode, Document, PropertyNode, ScalarValue, StreamNode, TaskNode, Value } from './ast';
import type { BlockName } from './schema';
import { presets, schema } from './schema';
import { parse } from './parser';

/**
 * The values of one block (or of the stream's own keys), as written, with preset and schema
 * defaults filled in: file value > preset value > schema default.
 */
class Values {
  constructor(
    private readonly written: ReadonlyMap<string, Value>,
    private readonly context: BlockName | 'stream',
    private readonly preset: 'default' | 'paper',
  ) {}

  private raw(key: string): Value | undefined {
    const own = this.written.get(key);
    if (own !== undefined) return own;
    const text = presets[this.preset][this.context]?.[key] ?? schema[this.context][key]?.default;
    if (text === undefined) return undefined;
    const doc = parse(`stream x { k = ${text} }`);
    const member = doc.streams[0]?.members[0];
    return member?.type === 'property' ? member.value : undefined;
  }

  scalar(key: string): ScalarValue | undefined {
    const v = this.raw(key);
    return v?.type === 'scalar' ? v : undefined;
  }

  number(key: string): number {
    return this.scalar(key)?.number ?? Number.NaN;
  }

  text(key: string): string | undefined {
    return this.scalar(key)?.text;
  }

  bool(key: string): boolean {
    return this.text(key) === 'true';
  }

  list(key: string): ScalarValue[] {
    const v = this.raw(key);
    return v?.type === 'list' ? [...v.items] : v !== undefined ? [v] : [];
  }
}

function propertiesOf(
  members: readonly (PropertyNode | BlockNode | { type: 'order' })[],
): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const m of members) if (m.type === 'property' && m.value !== undefined) out.set(m.key, m.value);
  return out;
}

function blockOf(stream: StreamNode, key: string): Map<string, Value> {
  const block = stream.members.find((m): m is BlockNode => m.type === 'block' && m.key === key);
  return propertiesOf(block?.properties ?? []);
}

function resolvePath(base: string, path: string): string {
  return normalize(isAbsolute(path) ? path : join(base, path));
}

function formatOf(path: string): DataFormat {
  const ext = extname(path).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.tsv' ? 'tsv' : 'jsonl';
}

function taskSpec(task: TaskNode, base: string): TaskSpec {
  const values = propertiesOf(task.members);
  const s = (key: string): string | undefined => {
    const v = values.get(key);
    return v?.type === 'scalar' ? v.text : undefined;
  };
  const n = (key: string): number | undefined => {
    const v = values.get(key);
    return v?.type === 'scalar' ? v.number : undefined;
  };
  const train = resolvePath(base, s('data') ?? '');
  const rename = task.members.find((m): m is BlockNode => m.type === 'block' && m.key === 'rename');
  const labelsValue = values.get('labels');
  return {
    name: task.name,
    data: {
      train,
      test: s('test') !== undefined ? resolvePath(base, s('test') ?? '') : undefined,
      format: (s('format') as DataFormat | undefined) ?? formatOf(train),
      textField: s('text') ?? 'text',
      labelField: s('label') ?? 'label',
      testSplit: s('test') === undefined ? (n('test_split') ?? 20) / 100 : undefined,
      splitKey: s('split_key'),
      maxTrain: n('max_train'),
      maxTest: n('max_test'),
      labels: labelsValue?.type === 'list' ? labelsValue.items.map((i) => i.text) : undefined,
      rename:
        rename !== undefined
          ? Object.fromEntries(
              rename.properties
                .filter((p) => p.value?.type === 'scalar')
                .map((p) => [p.key, (p.value as ScalarValue).text]),
            )
          : undefined,
    },
  };
}

/** Builds the ExperimentSpec of a stream. Assumes the document validated without errors. */
export function toExperimentSpec(doc: Document, stream: StreamNode, sourceFile: string): ExperimentSpec {
  const base = dirname(sourceFile);
  const own = propertiesOf(stream.members);
  const presetValue = own.get('preset');
  const preset = presetValue?.type === 'scalar' && presetValue.text === 'paper' ? 'paper' : 'default';
  const top = new Values(own, 'stream', preset);
  const backbone = new Values(blockOf(stream, 'backbone'), 'backbone', preset);
  const adapter = new Values(blockOf(stream, 'adapter'), 'adapter', preset);
  const memory = new Values(blockOf(stream, 'memory'), 'memory', preset);
  const router = new Values(blockOf(stream, 'router'), 'router', preset);
  const epi = new Values(blockOf(stream, 'epi'), 'epi', preset);
  const lda = new Values(blockOf(stream, 'lda'), 'lda', preset);
  const klda = new Values(blockOf(stream, 'klda'), 'klda', preset);

  const type = backbone.text('type') ?? 'glove100';
  const backboneSpec: BackboneSpec =
    type === 'bert'
      ? {
          type: 'bert',
          path: resolvePath(base, backbone.text('path') ?? ''),
          maxLength: backbone.number('max_length'),
        }
      : type === 'hashed'
        ? {
            type: 'hashed',
            layers: backbone.number('layers'),
            dim: backbone.number('dim'),
            buckets: backbone.number('buckets'),
          }
        : {
            type: 'glove100',
            layers: backbone.number('layers'),
            dim: backbone.number('dim'),
            charNgrams: backbone.bool('char_ngrams'),
          };

  const size = memory.scalar('size');
  const orders = stream.members.filter((m) => m.type === 'order');
  const sweep = memory.list('sweep').map((v) => v.number ?? 0);
  return {
    specVersion: SPEC_VERSION,
    name: stream.name,
    sourceFile,
    tasks: doc.tasks.map((t) => taskSpec(t, base)),
    orders:
      orders.length > 0
        ? orders.map((o) => ({ name: o.name, tasks: o.tasks.map((t) => t.name) }))
        : [{ name: 'declared', tasks: doc.tasks.map((t) => t.name) }],
    seeds: top.list('seeds').map((v) => v.number ?? 0),
    backbone: backboneSpec,
    adapter: {
      bottleneck: adapter.number('bottleneck'),
      epochs: adapter.number('epochs'),
      lr: adapter.number('lr'),
      batchSize: adapter.number('batch'),
    },
    memory: {
      size:
        size?.kind === 'percent'
          ? { kind: 'percent', value: size.number ?? 2 }
          : { kind: 'count', value: size?.number ?? 1 },
      strategy: (memory.text('strategy') ?? 'balanced') as MemoryStrategy,
      sweep: sweep.length > 0 ? sweep : undefined,
    },
    router: {
      activation: (router.text('activation') ?? 'gumbel_sigmoid').startsWith('gumbel')
        ? 'gumbel-sigmoid'
        : ('softmax' as RouterActivation),
      temperature: router.number('temperature'),
      epochs: router.number('epochs'),
      minSteps: router.number('min_steps'),
      lr: router.number('lr'),
      batchSize: router.number('batch'),
      schedule: (router.text('schedule') ?? 'after_stream').replace(/_/g, '-') as
        'after-stream' | 'after-each-task',
      tuneHeads: router.bool('tune_heads'),
      taskSupervision: router.number('task_supervision'),
      tilHeads: (router.text('til_heads') ?? 'isolated') as TilHeads,
      tilRouting: (router.text('til_routing') ?? 'task') as TilRouting,
      taskPrior: router.number('task_prior'),
      headAnchor: router.number('head_anchor'),
      featureReplay: router.number('feature_replay'),
      replayCovariance: (router.text('replay_covariance') ?? 'full') as ReplayCovariance,
      statisticsPrior: router.number('statistics_prior'),
      statisticsPriorLevel: 'class',
    },
    compose: top.list('compose').map((v) => v.text as Composition),
    settings: top.list('settings').map((v) => v.text as Setting),
    baselines: top.list('baselines').map((v) => v.text as Baseline),
    baselineOptions: {
      epi: { covariance: (epi.text('covariance') ?? 'shared') as EpiCovariance },
      lda: { shrinkage: lda.number('shrinkage') },
      klda: {
        features: klda.number('features'),
        bandwidth: klda.number('bandwidth'),
        ensemble: klda.number('ensemble'),
      },
    },
    output: resolvePath(base, top.text('output') ?? '.l2r/runs'),
    backend: (top.text('backend') ?? 'auto') as BackendPreference,
    preset,
  };
}
