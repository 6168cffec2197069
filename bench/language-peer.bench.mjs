// The .l2r language server against its peer, side by side in one run: the same 2,000-line
// experiment as a .l2r file (our server) and as YAML validated by a JSON schema
// (yaml-language-server). Both run as real LSP processes over stdio; we time a one-character edit
// until the server publishes diagnostics for that version. Medians of warm repetitions.
// Usage: node bench/language-peer.bench.mjs   (builds dist/server.js first)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production'], { stdio: 'ignore' });
const dir = mkdtempSync(join(tmpdir(), 'l2r-peer-'));
const TASKS = 180;
const names = Array.from({ length: TASKS }, (_, i) => `t${i}`);

const l2r =
  `stream big {\n  order main = [${names.join(', ')}]\n  seeds = [1, 2, 3]\n  adapter {\n    epochs = 3\n  }\n  memory {\n    size = 2%\n  }\n}\n\n` +
  names
    .map(
      (n) =>
        `task ${n} {\n  data = "data/${n}.train.jsonl"\n  test = "data/${n}.test.jsonl"\n  text = "text"\n  label = "label"\n  split_key = "doc"\n  max_train = 2000\n  max_test = 500\n}\n`,
    )
    .join('\n');
const yaml =
  `stream:\n  name: big\n  orders:\n    main: [${names.join(', ')}]\n  seeds: [1, 2, 3]\n  adapter:\n    epochs: 3\n  memory:\n    size: 2%\n\ntasks:\n` +
  names
    .map(
      (n) =>
        `  - name: ${n}\n    data: data/${n}.train.jsonl\n    test: data/${n}.test.jsonl\n    text: text\n    label: label\n    split_key: doc\n    max_train: 2000\n    max_test: 500\n`,
    )
    .join('\n');
const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    stream: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string' },
        orders: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        seeds: { type: 'array', items: { type: 'integer', minimum: 0 } },
        adapter: {
          type: 'object',
          additionalProperties: false,
          properties: {
            epochs: { type: 'integer', minimum: 1 },
            bottleneck: { type: 'integer', minimum: 1 },
            lr: { type: 'number', exclusiveMinimum: 0 },
          },
        },
        memory: {
          type: 'object',
          additionalProperties: false,
          properties: {
            size: { type: ['string', 'integer'], pattern: '^[0-9.]+%$' },
            strategy: { enum: ['random', 'balanced', 'reservoir'] },
          },
        },
      },
    },
    tasks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'data'],
        properties: Object.fromEntries(
          ['name', 'data', 'test', 'text', 'label', 'split_key']
            .map((k) => [k, { type: 'string' }])
            .concat([
              ['max_train', { type: 'integer', minimum: 1 }],
              ['max_test', { type: 'integer', minimum: 1 }],
            ]),
        ),
      },
    },
  },
};
writeFileSync(join(dir, 'schema.json'), JSON.stringify(schema));

async function measure(label, command, args, file, text, languageId, settings, edit) {
  const server = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const connection = createMessageConnection(
    new StreamMessageReader(server.stdout),
    new StreamMessageWriter(server.stdin),
  );
  const uri = pathToFileURL(file).href;
  let waiting;
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    if (p.uri === uri && waiting !== undefined) {
      const w = waiting;
      waiting = undefined;
      w();
    }
  });
  connection.onRequest('workspace/configuration', (p) => p.items.map((i) => settings[i.section] ?? null));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    capabilities: { workspace: { configuration: true } },
    initializationOptions: {},
  });
  await connection.sendNotification('initialized', {});
  await connection.sendNotification('workspace/didChangeConfiguration', { settings });
  const published = () => new Promise((resolve) => (waiting = resolve));
  let next = published();
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId, version: 1, text },
  });
  await next;
  const times = [];
  for (let v = 2; v < 32; v++) {
    next = published();
    const started = performance.now();
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: v },
      contentChanges: [{ text: edit(text, v) }],
    });
    await next;
    times.push(performance.now() - started);
  }
  connection.dispose();
  server.kill();
  const warm = times.slice(5).sort((a, b) => a - b);
  return {
    server: label,
    lines: text.split('\n').length,
    medianMs: +warm[Math.floor(warm.length / 2)].toFixed(1),
    p90Ms: +warm[Math.floor(warm.length * 0.9)].toFixed(1),
  };
}

const l2rFile = join(dir, 'big.l2r');
const yamlFile = join(dir, 'big.yaml');
writeFileSync(l2rFile, l2r);
writeFileSync(yamlFile, yaml);
const results = [];
for (let round = 0; round < 2; round++) {
  results.push(
    await measure(
      'l2r (ours)',
      process.execPath,
      [join(root, 'dist', 'server.js'), '--stdio'],
      l2rFile,
      l2r,
      'l2r',
      { 'l2r.validation': { checkDataFiles: false } },
      (t, v) => t.replace('epochs = 3', `epochs = ${3 + (v % 5)}`),
    ),
  );
  results.push(
    await measure(
      'yaml-language-server + JSON schema',
      process.execPath,
      [require.resolve('yaml-language-server/bin/yaml-language-server'), '--stdio'],
      yamlFile,
      yaml,
      'yaml',
      { yaml: { validate: true, schemas: { [pathToFileURL(join(dir, 'schema.json')).href]: ['*.yaml'] } } },
      (t, v) => t.replace('epochs: 3', `epochs: ${3 + (v % 5)}`),
    ),
  );
}
console.log(JSON.stringify(results, null, 2));
