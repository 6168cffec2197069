/**
 * LSP extensions: requests and notifications beyond the standard protocol, between the extension's
 * language client and the `.l2r` language server. Method names and payload types only; both sides
 * build their typed request objects from these.
 */
import type { ExperimentSpec } from './spec';

/**
 * Request, sent by the client: the resolved experiment of an open `.l2r` document.
 * The server answers with the spec, or with the error diagnostics that prevent building one.
 */
export const experimentSpecMethod = 'l2r/experimentSpec';

export interface ExperimentSpecParams {
  readonly uri: string;
  /** Which stream of the file, when it declares several; the first when absent. */
  readonly stream?: string;
}

export interface SpecProblem {
  readonly message: string;
  /** 0-based position of the problem in the document. */
  readonly line: number;
  readonly character: number;
}

export type ExperimentSpecResult =
  | { readonly ok: true; readonly spec: ExperimentSpec }
  | { readonly ok: false; readonly problems: readonly SpecProblem[] };

/** Request, sent by the client: the streams a document declares, with their ranges (CodeLens, pickers). */
export const streamsMethod = 'l2r/streams';

export interface StreamsParams {
  readonly uri: string;
}

export interface StreamInfo {
  readonly name: string;
  /** 0-based line of the `stream` keyword. */
  readonly line: number;
}
