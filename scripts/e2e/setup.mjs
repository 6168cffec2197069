// Idempotent, cached setup of what the VS Code tiers need: Debian's chromium and code-server
// 4.100.3 (a real VS Code 1.100.3 server + workbench), installed offline from apt and npm as
// ../shared/FACTS.md records. A stamp file makes the second run a no-op.
// Usage: node scripts/e2e/setup.mjs   -> prints JSON {codeServer, chromium} on the last line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_CACHE = `vscode-ripgrep-cache-1.15.11`;
const RIPGREP_TARBALL = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
const cacheRoot = process.env.L2R_E2E_CACHE ?? join(homedir(), '.cache', 'l2r-studio-e2e');
const prefix = join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
const stamp = join(prefix, '.installed');
const codeServerBin = join(prefix, 'node_modules', '.bin', 'code-server');

function log(message) {
  console.error(`[e2e setup] ${message}`);
}

function run(command, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    ...options,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (exit ${result.status}):\n${(result.stderr || result.stdout || '').slice(-2000)}`,
    );
  }
  log(`${command} ${args.slice(0, 3).join(' ')}… ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.stdout;
}

function which(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function ensureApt(packages) {
  const missing = packages.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Missing Debian packages ${missing.join(', ')} and not root. Fix: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function ensureRipgrepCache() {
  // @vscode/ripgrep downloads a musl build at install time; hand it Debian's rg, packed the same way.
  const dir = join(tmpdir(), RIPGREP_CACHE);
  const target = join(dir, RIPGREP_TARBALL);
  if (existsSync(target)) return;
  mkdirSync(join(dir, 'pack'), { recursive: true });
  copyFileSync(which('rg') ?? '/usr/bin/rg', join(dir, 'pack', 'rg'));
  run('tar', ['-czf', target, '-C', join(dir, 'pack'), 'rg']);
}

function ensureCodeServer() {
  if (
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === CODE_SERVER_VERSION &&
    existsSync(codeServerBin)
  )
    return;
  ensureApt(['libkrb5-dev', 'ripgrep']);
  ensureRipgrepCache();
  mkdirSync(prefix, { recursive: true });
  writeFileSync(join(prefix, 'package.json'), JSON.stringify({ name: 'l2r-e2e-code-server', private: true }));
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefix', prefix, `code-server@${CODE_SERVER_VERSION}`],
    {
      env: { ...process.env, npm_config_yes: 'true', npm_config_unsafe_perm: 'true' },
    },
  );
  if (!existsSync(codeServerBin)) throw new Error(`code-server did not install into ${prefix}`);
  writeFileSync(stamp, CODE_SERVER_VERSION);
}

try {
  const started = Date.now();
  if (which('chromium') === undefined) ensureApt(['chromium']);
  // Panel tests need only the browser.
  if (!process.argv.includes('--chromium-only')) ensureCodeServer();
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(JSON.stringify({ codeServer: codeServerBin, chromium: which('chromium') }));
} catch (error) {
  console.error(`[e2e setup] FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
