import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVectorBackbone } from '../../src/engine/model/backbone';
import { disposePacked, fixedScorer, forwardScored, packAdapters } from '../../src/engine/model/forward';
import { adapterVariables, createTaskModule, headVariables } from '../../src/engine/model/params';
import { createRandom } from '../../src/engine/random';
import type { Tensor, Tensor2D } from '../../src/engine/tf';
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

  it('the packed weighted average equals the per-adapter one, values and gradients, for vectors and tokens', async () => {
    const tf = await wasmTf();
    const dim = 8;
    const modules = [0, 1, 2].map((t) =>
      createTaskModule(tf, `t${t}`, ['x', 'y'], 2, dim, 3, createRandom(5, t)),
    );
    const r = createRandom(11);
    // Non-zero ups and biases, so every term of the sum counts.
    for (const m of modules)
      for (const v of adapterVariables(m)) {
        const values = tf.tensor(
          Float32Array.from({ length: v.size }, () => r.normal() * 0.3),
          v.shape,
        );
        v.assign(values);
        values.dispose();
      }
    const backbone = createVectorBackbone(tf, 2, dim, createRandom(2));
    const packed = packAdapters(tf, modules, 2);
    for (const shape of [
      [4, dim],
      [4, 5, dim],
    ]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(
        Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.7)),
        shape,
      );
      const w0 = tf.tensor2d(
        Float32Array.from({ length: 12 }, (_, i) => 0.1 + ((i * 7) % 5) / 5),
        [4, 3],
      );
      // The loss's gradient with respect to the scores: what router training back-propagates.
      const run = (pack?: typeof packed) =>
        tf.valueAndGrad((w: Tensor) =>
          tf.sum(
            tf.square(
              forwardScored(tf, { h: x }, backbone, modules, fixedScorer(w as Tensor2D), 'wavg', pack).h,
            ),
          ),
        )(w0);
      const plain = run();
      const fused = run(packed);
      const dv = Math.abs(((await plain.value.data())[0] ?? 0) - ((await fused.value.data())[0] ?? 0));
      const dg = Math.max(
        ...Array.from(await plain.grad.data(), (g, i) => Math.abs(g - (fused.grad.dataSync()[i] ?? 0))),
      );
      assert.ok(dv < 1e-3 * Math.max(1, Math.abs(plain.value.dataSync()[0] ?? 0)), `values differ by ${dv}`);
      assert.ok(dg < 1e-3, `gradients differ by ${dg} (input ${shape.join('x')})`);
      tf.dispose([x, w0, plain.value, plain.grad, fused.value, fused.grad]);
    }
    disposePacked(tf, packed);
    backbone.dispose();
    for (const m of modules) tf.dispose([...adapterVariables(m), ...headVariables(m)]);
  });
});
