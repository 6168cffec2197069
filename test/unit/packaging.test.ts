import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(import.meta.dirname, '..', '..');

describe('the packaged extension', () => {
  it('ships every Node bundle the build makes (.vscodeignore is an allowlist)', () => {
    const build = readFileSync(join(root, 'scripts', 'build.mjs'), 'utf8');
    const outs = [...build.matchAll(/\{ in: '([^']+)', out: '([^']+)'/g)].map((m) => m[2] ?? '');
    assert.ok(outs.includes('worker') && outs.includes('adapterThread'), `bundles found: ${outs.join(', ')}`);
    const admitted = readFileSync(join(root, '.vscodeignore'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).trim());
    for (const out of outs)
      assert.ok(admitted.includes(`dist/${out}.js`), `dist/${out}.js is left out of the .vsix`);
  });
});
