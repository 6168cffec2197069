/**
 * The engine <-> gradient-thread boundary (data-parallel training on the kernels): the engine hands a
 * thread the recipe of a net, then each step the current parameters and its share of the batch; the
 * thread answers with that share's gradients. Structured clones of plain numbers only.
 */
import type { AdapterNetShape } from './adapterNet';
import type { PlainFrozen } from './composedNet';
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
    };

/** Sent by the engine, once: build the net. */
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

export type EngineToGradientThread = InitMessage | StepMessage;

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

/** Sent by the thread when it cannot go on (the engine then computes alone). */
export interface GradientFailedMessage {
  readonly kind: 'failed';
  readonly message: string;
}

export type GradientThreadToEngine = ReadyMessage | GradientsMessage | GradientFailedMessage;
