// Bundles every process of the product with esbuild: one bundle per process entry (extension host,
// language server, training worker, CLI) and one per webview panel, plus the wasm binaries the
// worker's TensorFlow.js backend loads at run time. `--production` minifies and drops sourcemaps;
// `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const dist = join(root, 'dist');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Native TensorFlow.js packages are optional and loaded with require() at run time when present. */
const nativeTf = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  legalComments: 'none',
  logLevel: 'warning',
  // Langium and friends are ESM; in a CJS bundle `import.meta.url` must come from __filename.
  define: { 'import.meta.url': 'importMetaUrl', L2R_VERSION: JSON.stringify(version) },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

/** Process entries that exist (later issues add some of them). */
const nodeEntries = [
  { in: 'src/extension/main.ts', out: 'extension', external: ['vscode'] },
  { in: 'src/server/main.ts', out: 'server', external: [] },
  { in: 'src/worker/main.ts', out: 'worker', external: nativeTf },
  { in: 'src/engine/parallel/adapterThread.ts', out: 'adapterThread', external: [] },
  { in: 'src/engine/kernels/gradientThread.ts', out: 'gradientThread', external: [] },
  { in: 'src/cli/main.ts', out: 'cli', external: nativeTf, shebang: true },
].filter((e) => existsSync(join(root, e.in)));

/** One browser bundle per folder under webview/ that has a main.ts. */
const webviewEntries = existsSync(join(root, 'webview'))
  ? readdirSync(join(root, 'webview'))
      .filter(
        (d) =>
          statSync(join(root, 'webview', d)).isDirectory() && existsSync(join(root, 'webview', d, 'main.ts')),
      )
      .map((d) => ({ in: `webview/${d}/main.ts`, out: d }))
  : [];

function nodeOptions(entry) {
  const banner = entry.shebang ? { js: `#!/usr/bin/env node\n${nodeCommon.banner.js}` } : nodeCommon.banner;
  return {
    ...nodeCommon,
    banner,
    entryPoints: [join(root, entry.in)],
    outfile: join(dist, `${entry.out}.js`),
    external: entry.external,
  };
}

function webviewOptions(entry) {
  return {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: production ? false : 'inline',
    minify: production,
    legalComments: 'none',
    logLevel: 'warning',
    entryPoints: [join(root, entry.in)],
    outfile: join(dist, 'webview', `${entry.out}.js`),
    loader: { '.css': 'text' },
  };
}

/** The wasm backend fetches these by file name from the folder given to setWasmPaths (dist/). */
function copyWasm() {
  const from = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  // The threaded build is left out: wasm threads do not work in Node (see FACTS.md / docs/ENGINE.md).
  for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
    copyFileSync(join(from, name), join(dist, name));
  }
}

async function main() {
  const started = performance.now();
  if (!watch) rmSync(dist, { recursive: true, force: true });
  mkdirSync(join(dist, 'webview'), { recursive: true });
  const all = [...nodeEntries.map(nodeOptions), ...webviewEntries.map(webviewOptions)];
  if (watch) {
    const contexts = await Promise.all(all.map((o) => esbuild.context(o)));
    await Promise.all(contexts.map((c) => c.watch()));
    copyWasm();
    console.log(`watching ${all.length} bundles`);
    return;
  }
  await Promise.all(all.map((o) => esbuild.build(o)));
  copyWasm();
  const ms = Math.round(performance.now() - started);
  console.log(`built ${all.length} bundles into dist/ in ${ms} ms${production ? ' (production)' : ''}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
