// The `.l2r` language server: LSP over Node IPC (when started by the extension) or stdio
// (`--stdio`). Wiring only: the language core does the work, ./features maps it to LSP.
import { fileURLToPath } from 'node:url';
import { TextDocuments } from 'vscode-languageserver';
import type { Diagnostic as LspDiagnostic, InitializeResult } from 'vscode-languageserver';
import {
  createConnection,
  DiagnosticSeverity,
  ProposedFeatures,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { diagnose, format, nodeFileProbe, toExperimentSpec, validate } from '../language';
import type { Diagnostic } from '../language';
import { experimentSpecMethod, streamsMethod } from '../protocol/lsp';
import type { ExperimentSpecParams, ExperimentSpecResult, StreamInfo, StreamsParams } from '../protocol/lsp';
import { AnalysisCache } from './analysis';
import type { Analysis } from './analysis';
import {
  codeActions,
  complete,
  definition,
  folding,
  hover,
  prepareRename,
  references,
  rename,
  symbols,
  toLspRange,
} from './features';
import type { DiagnosticData } from './features';
import { settingsFor } from './settings';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const analyses = new AnalysisCache();
const probe = nodeFileProbe();
let supportsConfiguration = false;

const severities = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
} as const;

function analysisOf(uri: string): Analysis | undefined {
  const document = documents.get(uri);
  return document === undefined ? undefined : analyses.get(uri, document.version, document.getText());
}

function pathOf(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

function toLsp(a: Analysis, d: Diagnostic): LspDiagnostic {
  const data: DiagnosticData = { fixes: d.fixes, code: d.code, name: d.subject };
  return {
    range: toLspRange(a, d.range),
    severity: severities[d.severity],
    message: d.message,
    source: 'l2r',
    code: d.code,
    data,
  };
}

/** Publishes syntax and semantic diagnostics at once, then again with the (slower) data-file checks. */
async function publish(uri: string): Promise<void> {
  const a = analysisOf(uri);
  if (a === undefined) return;
  const fast = validate(a.doc);
  await connection.sendDiagnostics({ uri, version: a.version, diagnostics: fast.map((d) => toLsp(a, d)) });
  const settings = await settingsFor(connection, uri, supportsConfiguration);
  if (!settings.checkDataFiles || !uri.startsWith('file:')) return;
  const all = await diagnose(a.doc, pathOf(uri), { checkData: true, probe });
  const current = analysisOf(uri);
  if (current?.version !== a.version) return; // a newer edit has its own publish under way
  await connection.sendDiagnostics({ uri, version: a.version, diagnostics: all.map((d) => toLsp(a, d)) });
}

connection.onInitialize((params): InitializeResult => {
  supportsConfiguration = params.capabilities.workspace?.configuration === true;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: ['=', '[', ',', '"', ' '] },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      documentFormattingProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
    },
    serverInfo: { name: 'l2r-language-server' },
  };
});

documents.onDidChangeContent((e) => void publish(e.document.uri));
documents.onDidClose((e) => {
  analyses.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});
connection.onDidChangeConfiguration(() => {
  for (const d of documents.all()) void publish(d.uri);
});

const offsetOf = (a: Analysis, p: { line: number; character: number }): number =>
  a.lines.offset(p.line, p.character);

connection.onCompletion((p) => {
  const a = analysisOf(p.textDocument.uri);
  return a === undefined ? [] : complete(a, offsetOf(a, p.position), pathOf(p.textDocument.uri));
});
connection.onHover((p) => {
  const a = analysisOf(p.textDocument.uri);
  return a === undefined ? null : (hover(a, offsetOf(a, p.position)) ?? null);
});
connection.onDefinition((p) => {
  const a = analysisOf(p.textDocument.uri);
  return a === undefined ? null : (definition(a, p.textDocument.uri, offsetOf(a, p.position)) ?? null);
});
connection.onReferences((p) => {
  const a = analysisOf(p.textDocument.uri);
  return a === undefined
    ? []
    : references(a, p.textDocument.uri, offsetOf(a, p.position), p.context.includeDeclaration);
});
connection.onPrepareRename((p) => {
  const a = analysisOf(p.textDocument.uri);
  return a === undefined ? null : (prepareRename(a, offsetOf(a, p.position)) ?? null);
});
connection.onRenameRequest((p) => {
  const a = analysisOf(p.textDocument.uri);
  return a === undefined ? null : (rename(a, p.textDocument.uri, offsetOf(a, p.position), p.newName) ?? null);
});
connection.onDocumentSymbol((p) => {
  const a = analysisOf(p.textDocument.uri);
  return a === undefined ? [] : symbols(a);
});
connection.onFoldingRanges((p) => {
  const a = analysisOf(p.textDocument.uri);
  return a === undefined ? [] : folding(a);
});
connection.onDocumentFormatting((p) => {
  const a = analysisOf(p.textDocument.uri);
  if (a === undefined) return [];
  const formatted = format(a.text, ' '.repeat(p.options.tabSize));
  if (formatted === undefined || formatted === a.text) return [];
  return [
    { range: { start: { line: 0, character: 0 }, end: a.lines.position(a.text.length) }, newText: formatted },
  ];
});
connection.onCodeAction((p) => {
  const a = analysisOf(p.textDocument.uri);
  return a === undefined ? [] : codeActions(a, p.textDocument.uri, p.context.diagnostics);
});

connection.onRequest(
  experimentSpecMethod,
  async (params: ExperimentSpecParams): Promise<ExperimentSpecResult> => {
    const a = analysisOf(params.uri);
    if (a === undefined)
      return { ok: false, problems: [{ message: 'The document is not open.', line: 0, character: 0 }] };
    const file = pathOf(params.uri);
    const errors = (await diagnose(a.doc, file, { checkData: true, probe })).filter(
      (d) => d.severity === 'error',
    );
    const stream =
      params.stream !== undefined ? a.doc.streams.find((s) => s.name === params.stream) : a.doc.streams[0];
    if (stream === undefined)
      errors.push({
        severity: 'error',
        message: 'The file declares no stream to run.',
        range: { start: 0, end: 0 },
      });
    if (errors.length > 0 || stream === undefined) {
      return {
        ok: false,
        problems: errors.map((e) => ({ message: e.message, ...a.lines.position(e.range.start) })),
      };
    }
    return { ok: true, spec: toExperimentSpec(a.doc, stream, file) };
  },
);

connection.onRequest(streamsMethod, (params: StreamsParams): StreamInfo[] => {
  const a = analysisOf(params.uri);
  return a === undefined
    ? []
    : a.doc.streams.map((s) => ({ name: s.name, line: a.lines.position(s.range.start).line }));
});

documents.listen(connection);
connection.listen();
