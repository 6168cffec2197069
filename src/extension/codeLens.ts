import * as vscode from 'vscode';
import type { LanguageSession } from './languageSession';
import type { RunStore } from './runs/runStore';

/** "Run", "Run with options" and "Last run: 78.1% CIL" above each stream of a .l2r file. */
export class StreamCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChangeCodeLenses = this.changeEmitter.event;

  constructor(
    private readonly language: () => LanguageSession | undefined,
    private readonly store: RunStore,
  ) {
    this.subscription = store.onDidChange(() => this.changeEmitter.fire());
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const session = this.language();
    if (session === undefined) return [];
    let streams;
    try {
      streams = await session.streams(document.uri);
    } catch {
      return [];
    }
    const last = this.store.forStream(document.uri.fsPath)[0];
    return streams.flatMap((s) => {
      const range = new vscode.Range(s.line, 0, s.line, 0);
      const lenses = [
        new vscode.CodeLens(range, {
          title: '$(play) Run',
          command: 'l2r.runStream',
          arguments: [document.uri, s.name],
        }),
        new vscode.CodeLens(range, {
          title: 'Run with options…',
          command: 'l2r.runWithOptions',
          arguments: [document.uri, s.name],
        }),
      ];
      if (last !== undefined && last.meta.stream === s.name) {
        const cil = last.meta.headline?.cil;
        const title = cil !== undefined ? `Last run: ${cil.toFixed(1)}% CIL` : `Last run: ${last.status}`;
        lenses.push(new vscode.CodeLens(range, { title, command: 'l2r.openResults', arguments: [last.dir] }));
      }
      return lenses;
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}
