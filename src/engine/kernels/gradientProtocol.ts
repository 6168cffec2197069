/**
 * The engine <-> gradient-thread boundary (data-parallel training and inference on the kernels): the
 * engine hands a thread the recipe of a net, then each step the current parameters and its share of
 * the batch, and the thread answers with that share's gradients; or, for an inference net, each batch
 * its share of the rows, and the thread answers with their outputs. Structured clones of plain
 * numbers only.
 */
import type { AdapterNetShape } from './adapterNet';
import type { PlainFrozen, PlainScorer, PlainTil } from './composedNet';
import type { PlainTaskModule } from './packedAdapters';
import type { RouterNetOptions } from './routerNet';

/** What to build, in the thread's own kernel instance, with the engine's training rows. */
export type NetRecipe =
  | {
      readonly kind: 'adapter';
      readonly shape: AdapterNetShape;
      readonly backbone: PlainFrozen;
      readonly rows: Float32Array;
      readonly count: number;
    }
  | {
      readonly kind: 'router';
      readonly backbone: PlainFrozen;
      readonly modules: readonly PlainTaskModule[];
      readonly routers: readonly { readonly w: Float32Array; readonly b: Float32Array }[];
      readonly options: RouterNetOptions;
      readonly anchors?: readonly Float32Array[][];
      readonly rows: Float32Array;
      readonly count: number;
    }
  | {
      /** A ComposedNet for inference (eval/composedOnKernels.ts). */
      readonly kind: 'composed';
      readonly backbone: PlainFrozen;
      readonly modules: readonly PlainTaskModule[];
      readonly dim: number;
      readonly bottleneck: number;
      readonly batch: number;
    };

/** Sent by the engine at the start of each job: build the net (replacing any earlier one). */
export interface InitMessage {
  readonly kind: 'init';
  readonly recipe: NetRecipe;
}

/** Sent by the engine each step: the parameters now, and the rows (with their targets) to differentiate. */
export interface StepMessage {
  readonly kind: 'step';
  readonly params: Float32Array;
  readonly indices: Int32Array;
  readonly labels: Int32Array;
  /** Router nets: each row's task, and per layer the rows' Gumbel noise ([count x tasks]). */
  readonly tasks?: Int32Array;
  readonly noise?: readonly Float32Array[];
}

/** Sent by the engine for each batch an inference net shares: the rows (stem features or token ids) to predict. */
export interface ForwardMessage {
  readonly kind: 'forward';
  readonly rows: Float32Array;
  readonly count: number;
  readonly scorer: PlainScorer;
  readonly composition: 'wavg' | 'merge';
  /** TIL's own pass, when it needs one: which routing, the head, the example's task. */
  readonly til?: PlainTil;
}

/** Sent by the engine when a job ends: drop the net (the thread then waits for the next `init`). */
export interface ReleaseMessage {
  readonly kind: 'release';
}

export type EngineToGradientThread = InitMessage | StepMessage | ForwardMessage | ReleaseMessage;

/** Sent by the thread once the net is built. */
export interface ReadyMessage {
  readonly kind: 'ready';
}

/** Sent by the thread after each step: its rows' mean-loss gradients, loss and hits. */
export interface GradientsMessage {
  readonly kind: 'gradients';
  readonly grads: Float32Array;
  readonly loss: number;
  readonly correct: number;
}

/** Sent by the thread after each forward message: union logits, raw scores (layer-major), TIL logits. */
export interface ForwardedMessage {
  readonly kind: 'forwarded';
  readonly logits: Float32Array;
  readonly scores: Float32Array;
  readonly tilLogits?: Float32Array;
}

/** Sent by the thread when it cannot go on (the engine then computes alone). */
export interface GradientFailedMessage {
  readonly kind: 'failed';
  readonly message: string;
}

export type GradientThreadToEngine =
  ReadyMessage | GradientsMessage | ForwardedMessage | GradientFailedMessage;
