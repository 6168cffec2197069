/**
 * The resolved, validated experiment: what a `.l2r` file means once the language core has parsed it,
 * checked it and filled in every default. Produced by `src/language` (`toExperimentSpec`), consumed by
 * the engine, the training worker and the CLI, and written verbatim into each run folder as `spec.json`.
 *
 * Plain JSON only (no classes, no functions, no Maps), because it crosses the worker boundary and is
 * persisted. Paths are absolute (resolved against the `.l2r` file's folder) so the worker never needs
 * to know where the stream file was.
 */

export const SPEC_VERSION = 1 as const;

export type Setting = 'cil' | 'til';
export type Composition = 'wavg' | 'merge';
export type RouterActivation = 'gumbel-sigmoid' | 'softmax';
/** When routers are (re)trained: once after the whole stream (the paper), or after every task. */
export type RouterSchedule = 'after-stream' | 'after-each-task';
export type MemoryStrategy = 'random' | 'balanced' | 'reservoir';
export type BackendPreference = 'auto' | 'gpu' | 'node' | 'wasm' | 'cpu';

/**
 * How the engine computes isolated adapter training on the default backbone: on its own
 * WebAssembly kernels where they beat TF.js (`auto`: the wasm and cpu backends), or always with
 * TF.js (`tfjs`, for comparisons). The numbers agree to float rounding.
 */
export type KernelChoice = 'auto' | 'tfjs';
export type BackendName = Exclude<BackendPreference, 'auto'>;
export type DataFormat = 'jsonl' | 'csv' | 'tsv';

/**
 * Methods run beside L2R. `lower`: one shared adapter fine-tuned sequentially; `upper`: one adapter
 * trained jointly on all tasks; `oracle`: the true task id picks its own adapter; `epi`, `mocl`, `dam`:
 * similarity-based routing modelled on those papers; `lda`, `klda`, `ncm`: rehearsal-free classifiers
 * on the frozen features' class statistics (no adapters); `softmax`: L2R with a softmax router.
 */
export type Baseline =
  'lower' | 'upper' | 'oracle' | 'epi' | 'lda' | 'klda' | 'ncm' | 'mocl' | 'dam' | 'softmax';

/**
 * The rehearsal-free methods that keep statistics instead of examples, which the "best rehearsal-free
 * baseline" line compares L2R with (protocol/verdict.ts).
 */
export const REHEARSAL_FREE: readonly Baseline[] = ['epi', 'lda', 'klda', 'ncm'];

/**
 * Which covariance the EPI-like baseline identifies the task with: one shared by every class of every
 * task (pooled within-class scatter, as linear discriminant analysis) or one per task (EPI's own).
 */
export type EpiCovariance = 'shared' | 'per_task';

/** Settings of the statistical baselines (`epi { }`, `lda { }`, `klda { }` blocks). */
export interface BaselineOptions {
  readonly epi: { readonly covariance: EpiCovariance };
  /** Shrinkage α in [0, 1) of the shared covariance toward its scaled identity. */
  readonly lda: { readonly shrinkage: number };
  readonly klda: {
    /** Random Fourier features per ensemble member. */
    readonly features: number;
    /** The RBF kernel's length scale in units of the first task's root mean squared distance to its mean. */
    readonly bandwidth: number;
    /** Members (independent random feature draws) whose class probabilities are averaged. */
    readonly ensemble: number;
  };
}

export interface DataSourceSpec {
  /** Absolute path of the training file. */
  readonly train: string;
  /** Absolute path of a separate test file; when absent, `testSplit` carves one from `train`. */
  readonly test?: string;
  readonly format: DataFormat;
  /** JSONL field name or CSV/TSV column header holding the text. */
  readonly textField: string;
  /** JSONL field name or CSV/TSV column header holding the label. */
  readonly labelField: string;
  /** Fraction in (0, 1) of `train` held out as test when no `test` file is given. */
  readonly testSplit?: number;
  /** Field whose value groups rows (e.g. a document id): a group never straddles train and test. */
  readonly splitKey?: string;
  readonly maxTrain?: number;
  readonly maxTest?: number;
  /** Keep only these labels (after renaming). */
  readonly labels?: readonly string[];
  /** Rename labels: original -> new. */
  readonly rename?: Readonly<Record<string, string>>;
}

export interface TaskSpec {
  readonly name: string;
  readonly data: DataSourceSpec;
}

export interface OrderSpec {
  readonly name: string;
  /** Task names, every declared task exactly once. */
  readonly tasks: readonly string[];
}

export type BackboneSpec =
  | {
      readonly type: 'glove100';
      /** Frozen layers on top of the pooled embedding, each followed by an adapter slot. */
      readonly layers: number;
      /** Width of the frozen layers. */
      readonly dim: number;
      /** Append hashed character n-gram features (covers scripts GloVe has no words for). */
      readonly charNgrams: boolean;
    }
  | {
      readonly type: 'hashed';
      readonly layers: number;
      readonly dim: number;
      /** Number of hash buckets of the n-gram featurizer. */
      readonly buckets: number;
    }
  | {
      readonly type: 'bert';
      /** Absolute path of a folder holding config.json, model.safetensors and vocab.txt. */
      readonly path: string;
      /** Maximum sequence length in WordPiece tokens. */
      readonly maxLength: number;
    };

export interface AdapterSpec {
  readonly bottleneck: number;
  readonly epochs: number;
  readonly lr: number;
  readonly batchSize: number;
}

export type MemorySize =
  { readonly kind: 'count'; readonly value: number } | { readonly kind: 'percent'; readonly value: number };

export interface MemorySpec {
  /** Examples kept per task. */
  readonly size: MemorySize;
  readonly strategy: MemoryStrategy;
  /** Optional sweep over memory sizes (percent of each task's training data), run in one command. */
  readonly sweep?: readonly number[];
}

/** Which heads TIL predicts with; see RouterSpec.tilHeads. */
export type TilHeads = 'isolated' | 'tuned';

/**
 * Which adapters TIL composes, knowing the example's task: `routed` (as CIL: the router alone, the
 * paper), `task_plus_routed` (the task's own adapter fully on, the router adds the others), `task`
 * (the task's own adapter alone, i.e. the oracle's path).
 */
export type TilRouting = 'routed' | 'task_plus_routed' | 'task';

export interface RouterSpec {
  readonly activation: RouterActivation;
  /** Gumbel-sigmoid / softmax temperature during training; > 0. */
  readonly temperature: number;
  readonly epochs: number;
  /**
   * Minimum number of optimiser steps: when the memory is small, epochs are repeated until this many
   * steps have been taken (0 = exactly `epochs` epochs, as in the paper).
   */
  readonly minSteps: number;
  readonly lr: number;
  readonly batchSize: number;
  readonly schedule: RouterSchedule;
  /** Tune the task heads on the memory while the router trains (calibrates heads for CIL). */
  readonly tuneHeads: boolean;
  /**
   * Weight of an auxiliary loss teaching every layer's router to score a memory example's own task
   * adapter 1 and the others 0 (the memory knows each example's task); 0 = off, as in the paper.
   */
  readonly taskSupervision: number;
  /**
   * Which heads TIL predicts with when `tuneHeads` is on: each task's head as trained in isolation
   * (`isolated`) or as tuned on the memory (`tuned`). No effect without `tuneHeads`.
   */
  readonly tilHeads: TilHeads;
  /** Which adapters TIL composes; see TilRouting. */
  readonly tilRouting: TilRouting;
  /**
   * Weight of the routers' task evidence in CIL: a class of task j adds this times the mean over
   * layers of log(score of adapter j) to its logit (0 = the logits alone, as in the paper).
   */
  readonly taskPrior: number;
  /**
   * With `tuneHeads`: weight of an L2 pull of every tuned head toward its weights after isolated
   * training (0 = none).
   */
  readonly headAnchor: number;
  /**
   * Pseudo-examples per task drawn from its class statistics (class means, shared within-class
   * covariance) and added to the memory for router training; 0 = the memory alone. Vector backbones
   * only (a token backbone's inputs are not features).
   */
  readonly featureReplay: number;
  /** The covariance feature replay draws with. */
  readonly replayCovariance: ReplayCovariance;
  /**
   * Weight λ of the class statistics' evidence in CIL: the CIL logits gain λ · log p(class | x) (or
   * log p(task | x) on every class of the task, `statisticsPriorLevel`) under linear discriminant
   * analysis of the stem features' class statistics, the ones feature replay keeps (0 = off).
   */
  readonly statisticsPrior: number;
  /**
   * Class level (the language's only one) or task level: the task level lost 4 validation CIL points
   * (docs/ENGINE.md) and is kept for bench/select-prior.mts, not written in files.
   */
  readonly statisticsPriorLevel: 'class' | 'task';
}

/** `full`: the d x d within-class covariance; `diagonal`: its diagonal only (d numbers). */
export type ReplayCovariance = 'full' | 'diagonal';

export interface ExperimentSpec {
  readonly specVersion: typeof SPEC_VERSION;
  /** The stream's name as declared in the file. */
  readonly name: string;
  /** Absolute path of the `.l2r` file this spec came from. */
  readonly sourceFile: string;
  /** Every declared task, in declaration order. */
  readonly tasks: readonly TaskSpec[];
  /** Named task orders; the first is the default. */
  readonly orders: readonly OrderSpec[];
  readonly seeds: readonly number[];
  readonly backbone: BackboneSpec;
  readonly adapter: AdapterSpec;
  readonly memory: MemorySpec;
  readonly router: RouterSpec;
  readonly compose: readonly Composition[];
  readonly settings: readonly Setting[];
  readonly baselines: readonly Baseline[];
  readonly baselineOptions: BaselineOptions;
  /** Absolute path of the folder that receives run folders. */
  readonly output: string;
  readonly backend: BackendPreference;
  /** Named preset the values were based on (`default` or `paper`). */
  readonly preset: 'default' | 'paper';
}
