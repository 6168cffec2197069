import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectBackend } from '../../src/engine';
import type { BackendLoader } from '../../src/engine';
import type { Tf } from '../../src/engine/tf';

const fakeTf = (name: string): Tf => ({ name }) as unknown as Tf;
const ok =
  (name: string): BackendLoader =>
  () =>
    Promise.resolve(fakeTf(name));
const missing =
  (why: string): BackendLoader =>
  () =>
    Promise.reject(new Error(why));

describe('backend selection: gpu -> node -> wasm -> cpu', () => {
  it('auto takes the first backend that loads and says why others were skipped', async () => {
    const chosen = await selectBackend('auto', {
      gpu: missing('@tensorflow/tfjs-node-gpu is not installed'),
      node: missing('@tensorflow/tfjs-node is not installed'),
      wasm: ok('wasm'),
      cpu: ok('cpu'),
    });
    assert.equal(chosen.name, 'wasm');
    assert.deepEqual(chosen.skipped, [
      'gpu: @tensorflow/tfjs-node-gpu is not installed',
      'node: @tensorflow/tfjs-node is not installed',
    ]);
  });

  it('uses the GPU when it loads', async () => {
    const chosen = await selectBackend('auto', {
      gpu: ok('gpu'),
      node: ok('node'),
      wasm: ok('wasm'),
      cpu: ok('cpu'),
    });
    assert.equal(chosen.name, 'gpu');
  });

  it('starts at the preferred backend and never goes back to a faster one', async () => {
    const chosen = await selectBackend('wasm', {
      gpu: ok('gpu'),
      node: ok('node'),
      wasm: missing('no wasm'),
      cpu: ok('cpu'),
    });
    assert.equal(chosen.name, 'cpu');
    assert.deepEqual(chosen.skipped, ['wasm: no wasm']);
  });

  it('fails with every reason when nothing loads', async () => {
    await assert.rejects(
      selectBackend('node', { gpu: ok('gpu'), node: missing('a'), wasm: missing('b'), cpu: missing('c') }),
      /node: a; wasm: b; cpu: c/,
    );
  });
});
