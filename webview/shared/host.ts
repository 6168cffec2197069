import baseCss from './base.css';
import type { HostToWebviewMessage, WebviewToHost, WebviewToHostMessage } from '../../src/protocol/webview';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The host connection of a panel, typed by the shared message maps (src/protocol/webview.ts). */
export class Host {
  private readonly api = acquireVsCodeApi();

  post<K extends keyof WebviewToHost>(type: K, payload: WebviewToHost[K]): void {
    this.api.postMessage({ type, payload } as WebviewToHostMessage);
  }

  onMessage(handler: (message: HostToWebviewMessage) => void): void {
    window.addEventListener('message', (event: MessageEvent<HostToWebviewMessage>) => handler(event.data));
  }

  /** Panel state survives hide/show and window reloads. */
  get state(): unknown {
    return this.api.getState();
  }

  set state(value: unknown) {
    this.api.setState(value);
  }
}

/** Creates an element with attributes and children (text or nodes): no innerHTML, nothing to escape. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** Puts the shared panel rules and then the panel's own sheets into the page (allowed by the CSP's style-src). */
export function useStyles(...sheets: string[]): void {
  const style = document.createElement('style');
  style.textContent = [baseCss, ...sheets].join('\n');
  document.head.append(style);
}
