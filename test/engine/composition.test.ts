import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVectorBackbone } from '../../src/engine/model/backbone';
import { fixedScorer, forwardScored } from '../../src/engine/model/forward';
import { adapterVariables, createTaskModule, headVariables } from '../../src/engine/model/params';
import { createRandom } from '../../src/engine/random';
import type { Tensor2D } from '../../src/engine/tf';
import { wasmTf } from './helpers';

describe('composition on the wasm backend', () => {
  it('merging one adapter (after its weights were assigned, as a checkpoint restore does) equals applying it', async () => {
    const tf = await wasmTf();
    const module = createTaskModule(tf, 'a', ['x', 'y'], 2, 8, 3, createRandom(1));
    const r = createRandom(9);
    // Regression: the wasm backend mis-read reshaped views of assigned variables, so merge disagreed with wavg.
    for (const a of module.adapters) {
      const values = tf.tensor(
        Float32Array.from({ length: a.up.size }, () => r.normal() * 0.5),
        a.up.shape,
      );
      a.up.assign(values);
      values.dispose();
    }
    const backbone = createVectorBackbone(tf, 2, 8, createRandom(2));
    const diff = tf.tidy(() => {
      const x = tf.tensor2d(
        Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)),
        [5, 8],
      );
      const w = tf.ones([5, 1]) as Tensor2D;
      const wavg = forwardScored(tf, { h: x }, backbone, [module], fixedScorer(w), 'wavg').h;
      const merge = forwardScored(tf, { h: x }, backbone, [module], fixedScorer(w), 'merge').h;
      return tf.max(tf.abs(tf.sub(wavg, merge)));
    });
    const max = (await diff.data())[0] ?? Infinity;
    diff.dispose();
    backbone.dispose();
    tf.dispose([...adapterVariables(module), ...headVariables(module)]);
    assert.ok(max < 1e-4, `merge and wavg of one adapter differ by ${max}`);
  });
});
