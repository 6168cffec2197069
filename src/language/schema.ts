/**
 * Every key of the `.l2r` language: where it may appear, its type, default, allowed values and
 * documentation. One table drives validation, completion, hover and docs/LANGUAGE.md
 * (test/unit/language/docs.test.ts checks the doc is in sync).
 */

export type KeyType =
  | { readonly kind: 'int'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'number'; readonly min?: number; readonly max?: number; readonly exclusiveMin?: boolean }
  | { readonly kind: 'fraction' }
  | { readonly kind: 'countOrPercent' }
  | { readonly kind: 'string' }
  | { readonly kind: 'path'; readonly folder?: boolean }
  | { readonly kind: 'bool' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'intList'; readonly min?: number }
  | { readonly kind: 'enumList'; readonly values: readonly string[] }
  | { readonly kind: 'stringList' }
  | { readonly kind: 'percentList' };

export interface KeySpec {
  readonly type: KeyType;
  /** Default as written in a file (undefined: no default, optional). */
  readonly default?: string;
  readonly required?: boolean;
  readonly doc: string;
  readonly example: string;
}

export type BlockName = 'backbone' | 'adapter' | 'memory' | 'router' | 'epi' | 'lda' | 'klda';
export type Context = 'stream' | 'task' | BlockName;

export const blockDocs: Record<BlockName | 'rename', string> = {
  backbone: 'The frozen encoder. Adapters sit after each of its layers.',
  adapter: 'The per-task residual bottleneck adapters and how they are trained (each in isolation).',
  memory: 'The replay memory: how many examples of each task are kept, and how they are chosen.',
  router: 'The per-layer routers trained on the memory to compose adapters.',
  epi: 'Settings of the EPI-like baseline (`epi` in `baselines`): how it identifies the task from the frozen features.',
  lda: 'Settings of the `lda` baseline: nearest class mean over every class seen, in the Mahalanobis metric of one within-class covariance shared by all classes of all tasks (frozen features, no adapters).',
  klda: 'Settings of the `klda` baseline (KLDA, Momeni, Mazumder, Liu, AAAI 2025): `lda` over random Fourier features of an RBF kernel on the frozen features.',
  rename: 'Label renames for a task: `"old" = "new"` pairs.',
};

export const schema: Record<Context, Record<string, KeySpec>> = {
  stream: {
    preset: {
      type: { kind: 'enum', values: ['default', 'paper'] },
      default: 'default',
      doc: "Base values for every key: `default` (this product's defaults, see docs/ENGINE.md) or `paper` (the L2R paper's recipe: 2% random memory, routers trained on it alone for exactly 10 epochs of 32 at lr 1e-3 with no task supervision, heads not tuned, no character n-grams). Keys written in the file override the preset.",
      example: 'preset = paper',
    },
    seeds: {
      type: { kind: 'intList', min: 0 },
      default: '[1]',
      doc: 'Seeds of the sweep: every seed runs every order.',
      example: 'seeds = [1, 2, 3]',
    },
    settings: {
      type: { kind: 'enumList', values: ['cil', 'til'] },
      default: '[cil, til]',
      doc: 'Evaluation settings: `cil` (class-incremental: no task id at test time, prediction over all classes seen) and `til` (task-incremental: the task id picks the head).',
      example: 'settings = [cil, til]',
    },
    compose: {
      type: { kind: 'enumList', values: ['wavg', 'merge'] },
      default: '[wavg, merge]',
      doc: 'How routed adapters are combined: `wavg` (score-weighted average of adapter outputs, L2R-wavg) and/or `merge` (score-weighted average of adapter parameters, L2R-merge).',
      example: 'compose = [wavg]',
    },
    baselines: {
      type: {
        kind: 'enumList',
        values: ['lower', 'upper', 'oracle', 'epi', 'lda', 'klda', 'ncm', 'mocl', 'dam', 'softmax'],
      },
      default: '[]',
      doc: "Methods run beside L2R on the same data: `lower` (one adapter fine-tuned sequentially), `upper` (one adapter trained jointly), `oracle` (true task id picks the adapter), `epi`, `mocl`, `dam` (similarity-based routing), `lda`, `klda`, `ncm` (rehearsal-free classifiers on the frozen features' class statistics, no adapters; settings in the `epi`, `lda` and `klda` blocks), `softmax` (L2R with a softmax router). See docs/METHODS.md.",
      example: 'baselines = [lower, upper, oracle, lda]',
    },
    output: {
      type: { kind: 'path', folder: true },
      default: '".l2r/runs"',
      doc: 'Folder that receives run folders, relative to this file.',
      example: 'output = "runs"',
    },
    backend: {
      type: { kind: 'enum', values: ['auto', 'gpu', 'node', 'wasm', 'cpu'] },
      default: 'auto',
      doc: 'Compute backend hint. `auto` tries gpu (tfjs-node-gpu) → node (tfjs-node) → wasm → cpu and uses the first that loads; the one used is reported.',
      example: 'backend = wasm',
    },
  },
  backbone: {
    type: {
      type: { kind: 'enum', values: ['glove100', 'hashed', 'bert'] },
      default: 'glove100',
      doc: '`glove100`: embedded GloVe 100-d vectors (50k words), mean-pooled, then frozen layers; `hashed`: hashed word and character n-grams, no data file; `bert`: a local BERT-family checkpoint folder.',
      example: 'type = glove100',
    },
    layers: {
      type: { kind: 'int', min: 1, max: 24 },
      default: '4',
      doc: 'Frozen layers above the pooled input, each followed by an adapter slot.',
      example: 'layers = 4',
    },
    dim: {
      type: { kind: 'int', min: 8, max: 2048 },
      default: '256',
      doc: 'Width of the frozen layers.',
      example: 'dim = 256',
    },
    char_ngrams: {
      type: { kind: 'bool' },
      default: 'true',
      doc: 'glove100 only: append hashed character n-gram features, which cover scripts and words GloVe lacks.',
      example: 'char_ngrams = false',
    },
    buckets: {
      type: { kind: 'int', min: 16, max: 1048576 },
      default: '4096',
      doc: 'hashed only: number of hash buckets.',
      example: 'buckets = 8192',
    },
    path: {
      type: { kind: 'path', folder: true },
      doc: 'bert only: folder with `config.json`, `model.safetensors` and `vocab.txt`, relative to this file.',
      example: 'path = "models/bert-base-uncased"',
    },
    max_length: {
      type: { kind: 'int', min: 8, max: 4096 },
      default: '128',
      doc: 'bert only: maximum WordPiece tokens per example.',
      example: 'max_length = 128',
    },
  },
  adapter: {
    bottleneck: {
      type: { kind: 'int', min: 1, max: 4096 },
      default: '64',
      doc: 'Bottleneck width of each adapter (down-projection size).',
      example: 'bottleneck = 64',
    },
    epochs: {
      type: { kind: 'int', min: 1, max: 1000 },
      default: '3',
      doc: 'Training epochs of each task’s adapters.',
      example: 'epochs = 3',
    },
    lr: {
      type: { kind: 'number', min: 0, exclusiveMin: true, max: 10 },
      default: '1e-3',
      doc: 'Adam learning rate of the adapters and heads.',
      example: 'lr = 1e-3',
    },
    batch: {
      type: { kind: 'int', min: 1, max: 65536 },
      default: '32',
      doc: 'Mini-batch size.',
      example: 'batch = 32',
    },
  },
  memory: {
    size: {
      type: { kind: 'countOrPercent' },
      default: '2%',
      doc: 'Examples kept per task: a count (`50`) or a percentage of the task’s training data in (0, 100] (`2%`).',
      example: 'size = 2%',
    },
    strategy: {
      type: { kind: 'enum', values: ['random', 'balanced', 'reservoir'] },
      default: 'balanced',
      doc: '`balanced` (default, chosen on validation data): equal examples per class, so rare classes are kept; `random`: a uniform sample (the paper); `reservoir`: reservoir sampling over the task’s examples in arrival order.',
      example: 'strategy = balanced',
    },
    sweep: {
      type: { kind: 'percentList' },
      doc: 'Optional memory sizes (percent) to sweep in one run.',
      example: 'sweep = [1%, 5%, 10%, 30%]',
    },
  },
  router: {
    activation: {
      type: { kind: 'enum', values: ['gumbel_sigmoid', 'gumbel-sigmoid', 'softmax'] },
      default: 'gumbel_sigmoid',
      doc: '`gumbel_sigmoid` (the paper: several adapters can be active at once; sigmoid of the logits at inference) or `softmax` (the ablation).',
      example: 'activation = gumbel_sigmoid',
    },
    temperature: {
      type: { kind: 'number', min: 0, exclusiveMin: true, max: 100 },
      default: '1.0',
      doc: 'Relaxation temperature while training; must be > 0.',
      example: 'temperature = 0.5',
    },
    epochs: {
      type: { kind: 'int', min: 1, max: 10000 },
      default: '10',
      doc: 'Router training epochs over the memory.',
      example: 'epochs = 10',
    },
    min_steps: {
      type: { kind: 'int', min: 0, max: 1000000 },
      default: '250',
      doc: 'Minimum optimiser steps: epochs repeat until this many steps are taken, so a small memory still trains the router (default 250, chosen on validation data; 0: exactly `epochs`, as in the paper).',
      example: 'min_steps = 500',
    },
    lr: {
      type: { kind: 'number', min: 0, exclusiveMin: true, max: 10 },
      default: '2e-3',
      doc: 'Adam learning rate of the routers (and of the heads when tuned). Default 2e-3 with 64-example batches, chosen on validation data with feature replay; the paper preset: 1e-3.',
      example: 'lr = 1e-3',
    },
    batch: {
      type: { kind: 'int', min: 1, max: 65536 },
      default: '64',
      doc: 'Router mini-batch size. Default 64, chosen on validation data with feature replay: the router trains on a couple of thousand rows, and larger batches run more examples per second on wasm, while `min_steps` times the batch bounds the cost; the paper preset: 32.',
      example: 'batch = 32',
    },
    schedule: {
      type: { kind: 'enum', values: ['after_stream', 'after-stream', 'after_each_task', 'after-each-task'] },
      default: 'after_stream',
      doc: '`after_stream`: train the routers once after the whole stream (the paper); `after_each_task`: retrain after every task, which fills the accuracy matrix (forgetting, BWT, FWT).',
      example: 'schedule = after_each_task',
    },
    task_supervision: {
      type: { kind: 'number', min: 0, max: 100 },
      default: '1',
      doc: 'Weight of an auxiliary loss that teaches every layer’s router to score a memory example’s own task adapter 1 and the others 0 (the memory knows each example’s task; default 1, chosen on validation data). 0: routers learn from the classification loss alone, as in the paper.',
      example: 'task_supervision = 1',
    },
    tune_heads: {
      type: { kind: 'bool' },
      default: 'true',
      doc: 'Also tune the task heads on the memory while the routers train: calibrates the heads’ logits against each other for class-incremental prediction (on the demo’s validation splits: +23 CIL points, TIL unchanged; see docs/ENGINE.md).',
      example: 'tune_heads = false',
    },
    til_heads: {
      type: { kind: 'enum', values: ['isolated', 'tuned'] },
      default: 'isolated',
      doc: 'Which heads task-incremental (TIL) prediction uses when `tune_heads` is on: `isolated` (default, chosen on validation data): each task’s head as trained in isolation on all its data, since the task is known; `tuned`: the heads as tuned on the memory for CIL. No effect when `tune_heads = false`.',
      example: 'til_heads = tuned',
    },
    til_routing: {
      type: { kind: 'enum', values: ['routed', 'task_plus_routed', 'task'] },
      default: 'task',
      doc: 'Which adapters task-incremental (TIL) prediction composes, since it knows each example’s task: `task` (default, chosen on validation data: the task’s own adapter alone, the oracle’s path), `task_plus_routed` (the task’s own adapter fully on, the router adds the others), `routed` (as CIL: the router alone, the paper).',
      example: 'til_routing = task_plus_routed',
    },
    task_prior: {
      type: { kind: 'number', min: 0, max: 100 },
      default: '0',
      doc: 'Weight of the routers’ task evidence in class-incremental (CIL) prediction: every class of task j adds this times the mean over layers of log(router score of adapter j) to its logit. 0 (default): the logits alone, as in the paper.',
      example: 'task_prior = 0.5',
    },
    head_anchor: {
      type: { kind: 'number', min: 0, max: 100 },
      default: '0',
      doc: 'With `tune_heads`: weight of an L2 penalty pulling every tuned head toward its weights after isolated training, so calibrating on the small memory does not undo what the head learned from all its task’s data. Default 0 (off), chosen on validation data with feature replay on, which gives the heads enough to calibrate on (1000 pseudo-examples per task: 0.3 → CIL 64.9, 0 → 66.0). Without feature replay (`feature_replay = 0`, or a `bert` backbone) 0.3 was best: CIL 56.0 → 58.9.',
      example: 'head_anchor = 1',
    },
    feature_replay: {
      type: { kind: 'int', min: 0, max: 10000 },
      default: '300',
      doc: 'Pseudo-examples per task added to the memory for router training, drawn from statistics each task leaves behind: its class means and a within-class covariance shared by all classes (vector backbones only; `bert` ignores it). The statistics cost the class means plus `replay_covariance` numbers, not examples. Default 300 (chosen on validation data within the time budget of twice the paper recipe’s stream: CIL 58.9 → 64.7 at 1.4x the time; 1000 reached 66.0 at 2.4x); 0: the memory alone, as in the paper.',
      example: 'feature_replay = 400',
    },
    replay_covariance: {
      type: { kind: 'enum', values: ['full', 'diagonal'] },
      default: 'full',
      doc: 'The shared within-class covariance `feature_replay` draws with: `full` (default, chosen on validation data; `dim` x `dim` numbers) or `diagonal` (one variance per feature: `dim` numbers, 0.6 validation CIL points lower at 500 pseudo-examples).',
      example: 'replay_covariance = full',
    },
    statistics_prior: {
      type: { kind: 'number', min: 0, max: 100 },
      default: '1',
      doc: 'Weight of what the class statistics know in class-incremental (CIL) prediction: every class gains this times log p(class | x) under linear discriminant analysis of the stem features (the class means and shared covariance `feature_replay` keeps), added to its logit. Default 1, chosen on validation data; 0: the logits alone, as in the paper. Vector backbones only (`bert` ignores it).',
      example: 'statistics_prior = 0.5',
    },
  },
  epi: {
    covariance: {
      type: { kind: 'enum', values: ['shared', 'per_task'] },
      default: 'shared',
      doc: "The covariance the task is identified with: `shared` (default, chosen on validation data): one within-class covariance pooled over every class of every task, so distances to every task's class means are on one scale; `per_task`: one per task, as EPI keeps.",
      example: 'covariance = per_task',
    },
  },
  lda: {
    shrinkage: {
      type: { kind: 'number', min: 0, max: 0.99 },
      default: '0.01',
      doc: 'Shrinkage α of the shared covariance toward its scaled identity, (1 − α) Σ + α · mean variance · I. Default 0.01, chosen on validation data (0 to 0.03 were level; 0.3 and more lost 2 or more CIL points). The `statistics_prior` of L2R uses the same value.',
      example: 'shrinkage = 0.3',
    },
  },
  klda: {
    features: {
      type: { kind: 'int', min: 16, max: 8192 },
      default: '1024',
      doc: 'Random Fourier features per ensemble member (the KLDA paper: 5000). A features x features covariance is kept and factored, so memory grows with its square and time faster. Default 1024, chosen on validation data (2048 was level at 10x the time; 512 lost 1.5 CIL points).',
      example: 'features = 1024',
    },
    bandwidth: {
      type: { kind: 'number', min: 0, exclusiveMin: true, max: 1000 },
      default: '16',
      doc: "The RBF kernel's length scale, in units of the root mean squared distance of the first task's frozen features to their mean (the paper sets an absolute width per backbone). Default 16, chosen on validation data: from 0.25 up to 16 CIL rose steadily; 32 was level.",
      example: 'bandwidth = 4',
    },
    ensemble: {
      type: { kind: 'int', min: 1, max: 16 },
      default: '3',
      doc: 'Members, each with its own random features, whose class probabilities are averaged (KLDA-E; the paper: 5). Time grows with it. Default 3, chosen on validation data (+1.0 CIL over 1; 5 was level).',
      example: 'ensemble = 5',
    },
  },
  task: {
    data: {
      type: { kind: 'path' },
      required: true,
      doc: 'Training data file (JSONL, CSV or TSV), relative to this file.',
      example: 'data = "data/spam.train.jsonl"',
    },
    test: {
      type: { kind: 'path' },
      doc: 'Separate test file. Without it, `test_split` carves one from `data`.',
      example: 'test = "data/spam.test.jsonl"',
    },
    format: {
      type: { kind: 'enum', values: ['jsonl', 'csv', 'tsv'] },
      doc: 'File format; inferred from the extension when absent.',
      example: 'format = csv',
    },
    text: {
      type: { kind: 'string' },
      default: '"text"',
      doc: 'JSONL field or CSV/TSV column holding the text.',
      example: 'text = "body"',
    },
    label: {
      type: { kind: 'string' },
      default: '"label"',
      doc: 'JSONL field or CSV/TSV column holding the label.',
      example: 'label = "category"',
    },
    test_split: {
      type: { kind: 'fraction' },
      default: '20%',
      doc: 'Share of `data` held out as test when there is no `test` file: a percentage in (0, 100).',
      example: 'test_split = 20%',
    },
    split_key: {
      type: { kind: 'string' },
      doc: 'Field that groups rows (e.g. a document id): a group is never split between train and test (or validation), so text never leaks.',
      example: 'split_key = "doc"',
    },
    max_train: {
      type: { kind: 'int', min: 1 },
      doc: 'Cap on training examples (stratified, deterministic subsample).',
      example: 'max_train = 2000',
    },
    max_test: { type: { kind: 'int', min: 1 }, doc: 'Cap on test examples.', example: 'max_test = 500' },
    labels: {
      type: { kind: 'stringList' },
      doc: 'Keep only these labels (after renaming).',
      example: 'labels = ["ham", "spam"]',
    },
  },
};

/** Keys that open a block (`key { ... }`) in each context. */
export const blocksOf: Record<'stream' | 'task', readonly string[]> = {
  stream: ['backbone', 'adapter', 'memory', 'router', 'epi', 'lda', 'klda'],
  task: ['rename'],
};

/** Preset values (as written in a file) that differ from the schema defaults. */
export const presets: Record<
  'default' | 'paper',
  Partial<Record<BlockName | 'stream', Record<string, string>>>
> = {
  default: {},
  paper: {
    backbone: { char_ngrams: 'false' },
    memory: { size: '2%', strategy: 'random' },
    router: {
      epochs: '10',
      min_steps: '0',
      tune_heads: 'false',
      task_supervision: '0',
      til_routing: 'routed',
      task_prior: '0',
      head_anchor: '0',
      feature_replay: '0',
      statistics_prior: '0',
      batch: '32',
      lr: '1e-3',
      activation: 'gumbel_sigmoid',
    },
  },
};

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = dp[0] ?? 0;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const temp = dp[j] ?? 0;
      dp[j] = Math.min((dp[j] ?? 0) + 1, (dp[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = temp;
    }
  }
  return dp[b.length] ?? 0;
}

/** The closest candidate within a distance that still reads as a typo, if any. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}
