import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLoaders, selectBackend } from '../../src/engine';
import type { Tf } from '../../src/engine/tf';
import { repoRoot } from './specFixture';

export const wasmDir = join(repoRoot, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
export const gloveFile = join(repoRoot, 'media', 'glove100.bin');

let cached: Tf | undefined;
/** The wasm backend, loaded once per test process. */
export async function wasmTf(): Promise<Tf> {
  cached ??= (await selectBackend('wasm', defaultLoaders({ wasmDir }))).tf;
  return cached;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
