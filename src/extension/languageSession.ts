import * as vscode from 'vscode';
import { LanguageClient, RequestType, TransportKind } from 'vscode-languageclient/node';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import {
  experimentSpecMethod,
  streamsMethod,
  type ExperimentSpecParams,
  type ExperimentSpecResult,
  type StreamInfo,
  type StreamsParams,
} from '../protocol/lsp';
import type { Log } from './log';

const experimentSpecRequest = new RequestType<ExperimentSpecParams, ExperimentSpecResult, void>(
  experimentSpecMethod,
);
const streamsRequest = new RequestType<StreamsParams, StreamInfo[], void>(streamsMethod);

/** One language-server session: the client, the server process, and their cleanup scope. */
export class LanguageSession implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** Settles when the server has answered `initialize`; requests wait on it. */
  private ready: Promise<void> = Promise.resolve();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: Log,
  ) {}

  async start(): Promise<void> {
    const module = vscode.Uri.joinPath(this.extensionUri, 'dist', 'server.js').fsPath;
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: 'l2r' }],
      outputChannel: this.log.channel,
      synchronize: { configurationSection: 'l2r' },
    };
    this.client = new LanguageClient('l2r', 'L2R Language Server', serverOptions, clientOptions);
    const started = performance.now();
    this.ready = this.client.start();
    await this.ready;
    this.log.info(`language server ready in ${Math.round(performance.now() - started)} ms`);
  }

  /** The resolved experiment of a document, as the server validated it. */
  async experimentSpec(uri: vscode.Uri, stream?: string): Promise<ExperimentSpecResult> {
    const client = this.requireClient();
    await this.ready;
    return client.sendRequest(experimentSpecRequest, { uri: uri.toString(), stream });
  }

  async streams(uri: vscode.Uri): Promise<StreamInfo[]> {
    const client = this.requireClient();
    await this.ready;
    return client.sendRequest(streamsRequest, { uri: uri.toString() });
  }

  private requireClient(): LanguageClient {
    if (this.client === undefined)
      throw new Error('The L2R language server is not running. Run "Developer: Reload Window".');
    return this.client;
  }

  async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) await client.dispose();
  }
}
