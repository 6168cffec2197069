/**
 * The webview <-> host boundary: one name -> payload map per direction, shared by the host-side
 * panel classes (src/extension/panels) and the browser code (webview/). Each panel uses the subset
 * it needs; the `panel` field of `ready` says which panel is speaking.
 */

export type PanelKind = 'progress' | 'memory' | 'router' | 'results';

/** Messages the host sends to a webview: name -> payload. */
export interface HostToWebview {
  /** The run folder's contents as the panel needs them (replaces what the panel shows). */
  runData: { readonly runDir: string; readonly json: string };
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
