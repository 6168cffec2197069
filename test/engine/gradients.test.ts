import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linearOps } from '../../src/engine/model/linear';
import type { Tensor2D } from '../../src/engine/tf';
import { createRandom, normalMatrix } from '../../src/engine/random';
import { wasmTf } from './helpers';

describe('custom gradients without transposed matmuls', () => {
  it('equal autodiff for trainable and frozen products (max abs diff < 1e-4)', async () => {
    const tf = await wasmTf();
    const r = createRandom(11);
    const x = tf.tensor2d(normalMatrix(8, 6, 1, r), [8, 6]);
    const w = tf.tensor2d(normalMatrix(6, 5, 1, r), [6, 5]);
    const frozen = tf.tensor2d(normalMatrix(5, 4, 1, r), [5, 4]);
    const frozenT = tf.transpose(frozen) as Tensor2D;
    const lin = linearOps(tf);
    const loss =
      (custom: boolean) =>
      (...inputs: unknown[]) => {
        const [a, b] = inputs as [Tensor2D, Tensor2D];
        const h = custom ? lin.matMul(a, b) : tf.matMul(a, b);
        const z = custom
          ? lin.frozenMatMul(tf.tanh(h) as Tensor2D, frozen, frozenT)
          : tf.matMul(tf.tanh(h), frozen);
        // tanh keeps the rank; the cast only tells the compiler.
        return tf.sum(tf.square(z));
      };
    const [ga, gb] = tf.grads(loss(true))([x, w]);
    const [ea, eb] = tf.grads(loss(false))([x, w]);
    for (const [got, want] of [
      [ga, ea],
      [gb, eb],
    ] as const) {
      const diff = (await tf.max(tf.abs(tf.sub(got!, want!))).data())[0] ?? Infinity;
      assert.ok(diff < 1e-4, `max abs diff ${diff}`);
    }
    tf.dispose([x, w, frozen, frozenT, ga!, gb!, ea!, eb!]);
  });

  it('equal autodiff for batched products (attention), both operands (max abs diff < 1e-4)', async () => {
    const tf = await wasmTf();
    const r = createRandom(12);
    const a = tf.tensor4d(normalMatrix(2 * 3 * 5, 4, 1, r), [2, 3, 5, 4]);
    const b = tf.tensor4d(normalMatrix(2 * 3 * 4, 6, 1, r), [2, 3, 4, 6]);
    const lin = linearOps(tf);
    const loss =
      (custom: boolean) =>
      (...inputs: unknown[]) => {
        const [x, y] = inputs as [Tensor2D, Tensor2D];
        const z = custom ? lin.batchMatMul(x, y) : tf.matMul(x, y);
        return tf.sum(tf.square(tf.tanh(z)));
      };
    const got = tf.grads(loss(true))([a, b]);
    const want = tf.grads(loss(false))([a, b]);
    for (let i = 0; i < 2; i++) {
      const diff = (await tf.max(tf.abs(tf.sub(got[i]!, want[i]!))).data())[0] ?? Infinity;
      assert.ok(diff < 1e-4, `operand ${i}: max abs diff ${diff}`);
    }
    tf.dispose([a, b, ...got, ...want]);
  });
});
