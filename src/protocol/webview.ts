/**
 * The webview <-> host boundary: one name -> payload map per direction, shared by the host-side
 * panel classes (src/extension/panels) and the browser code (webview/). Each panel uses the subset
 * it needs; the `panel` field of `ready` says which panel is speaking.
 */

export type PanelKind = 'progress' | 'memory' | 'router' | 'results';

/** Messages the host sends to a webview: name -> payload. */
export interface HostToWebview {
  /** The runs to show (one, or several to compare), each with its metrics.json content. */
  results: { readonly runs: readonly { readonly runDir: string; readonly metrics: string }[] };
  /**
   * A run's event log (events.jsonl lines) and its status. `from` is the byte offset of `lines` in
   * the file: 0 for the whole log (first load, reload), otherwise only the lines appended since the
   * last message, which the page adds to what it has. `to` is the offset where `lines` ends (the
   * next message's `from`), so the page need not count UTF-8 bytes.
   */
  events: {
    readonly runDir: string;
    readonly lines: string;
    readonly status: string;
    readonly from: number;
    readonly to: number;
  };
  /** The replay memory of a run (memory.jsonl) with its event log (for budgets). */
  memory: { readonly runDir: string; readonly records: string; readonly events: string };
  /** A run's routing.json: routing scores, their summaries per layer, and traced examples. */
  routing: { readonly runDir: string; readonly json: string };
  /** A run folder could not be read: a sentence for the person, shown instead of the panel body. */
  error: { readonly message: string };
}

/** Messages a webview sends to the host: name -> payload. */
export interface WebviewToHost {
  /** The page has loaded and wants its data. */
  ready: { readonly panel: PanelKind };
  /** A user asked to stop / resume the run shown. */
  stopRun: { readonly runDir: string };
  resumeRun: { readonly runDir: string };
  /** Copy text (e.g. a table as Markdown) to the clipboard. */
  copyText: { readonly text: string };
  /** Save exported text (CSV, Markdown, SVG) or a PNG data URL chosen by the user. */
  exportFile: {
    readonly suggestedName: string;
    readonly content: string;
    readonly encoding: 'utf8' | 'dataUrl';
  };
}

export type Envelope<M> = { [K in keyof M]: { readonly type: K; readonly payload: M[K] } }[keyof M];
export type HostToWebviewMessage = Envelope<HostToWebview>;
export type WebviewToHostMessage = Envelope<WebviewToHost>;
