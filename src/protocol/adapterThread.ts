/**
 * The engine <-> adapter-thread boundary: the engine (in the training worker, the CLI or a benchmark)
 * hands a task's isolated adapter training to a worker thread (`dist/adapterThread.js`), so two
 * tasks train at once on two cores. Messages are structured clones; only plain numbers and typed
 * arrays cross, never tensors (each side has its own TensorFlow.js instance).
 */
import type { AdapterSpec, BackendName } from './spec';

/** Sent by the engine, once per task: train this task's adapters and head from scratch. */
export interface TrainAdapterJob {
  readonly kind: 'train';
  /** The checkpoint unit the result belongs to (e.g. `s1-main-adapter-spam`). */
  readonly unit: string;
  /** The backend the engine computes on; the thread uses the same one, so the numbers are the same. */
  readonly backend: Extract<BackendName, 'wasm' | 'cpu'>;
  /** Folder of the wasm binaries (wasm backend only). */
  readonly wasmDir: string;
  /** Train on the engine's WebAssembly kernels, as the engine's own thread does (same numbers). */
  readonly kernels: boolean;
  /** The random streams of this (seed, order, task), exactly as the engine draws them in-process. */
  readonly seed: number;
  readonly orderKey: number;
  readonly taskIndex: number;
  readonly task: string;
  readonly classes: readonly string[];
  /** The default vector backbone's shape (the only backbone trained in threads). */
  readonly layers: number;
  readonly dim: number;
  readonly adapter: AdapterSpec;
  /** Cached training rows (`width` numbers each) and their class indices. */
  readonly x: Float32Array;
  readonly width: number;
  readonly labels: Int32Array;
}

/** Sent by the engine: stop at the next step; nothing more is sent back. */
export interface StopAdapterThread {
  readonly kind: 'stop';
}

export type EngineToAdapterThread = TrainAdapterJob | StopAdapterThread;

/** Sent by the thread after some optimiser steps (at most every 250 ms), for live progress. */
export interface AdapterStepMessage {
  readonly kind: 'step';
  readonly unit: string;
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly examples: number;
}

/**
 * Sent by the thread after each epoch: its statistics and an epoch checkpoint (the variables, then
 * the optimiser's weights, as one Float32Array, with the optimiser weights' names and shapes), which
 * the engine writes to the run folder so a stopped run loses at most the epoch in progress.
 */
export interface AdapterEpochMessage {
  readonly kind: 'epoch';
  readonly unit: string;
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly trainAccuracy: number;
  readonly examplesPerSecond: number;
  readonly checkpoint: Float32Array;
  readonly optimizer: readonly { readonly name: string; readonly shape: readonly number[] }[];
}

/** Sent by the thread when the task is trained: adapter variables then head variables, concatenated. */
export interface AdapterDoneMessage {
  readonly kind: 'done';
  readonly unit: string;
  readonly values: Float32Array;
}

/** Sent by the thread when training failed. */
export interface AdapterFailedMessage {
  readonly kind: 'failed';
  readonly unit: string;
  readonly message: string;
}

export type AdapterThreadToEngine =
  AdapterStepMessage | AdapterEpochMessage | AdapterDoneMessage | AdapterFailedMessage;
