import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVectorBackbone } from '../../src/engine/model/backbone';
import {
  adapterVariables,
  createRouter,
  createTaskModule,
  headVariables,
  routerVariables,
} from '../../src/engine/model/params';
import type { TaskModule } from '../../src/engine/model/params';
import { createRandom } from '../../src/engine/random';
import { trainRouter } from '../../src/engine/train/trainRouter';
import type { Tf } from '../../src/engine/tf';
import { wasmTf } from './helpers';
import { tinySpec } from './specFixture';

const dim = 16;
const layers = 2;

/** How far the heads moved from where they started, after router training with this anchor weight. */
async function headDrift(tf: Tf, headAnchor: number): Promise<number> {
  const frozen = createVectorBackbone(tf, layers, dim, createRandom(1, 8));
  const modules: TaskModule[] = [0, 1].map((t) =>
    createTaskModule(tf, `t${t}`, ['a', 'b', 'c'], layers, dim, 4, createRandom(1, 2, t)),
  );
  const router = createRouter(tf, layers, dim, modules.length, createRandom(1, 3));
  const start = modules.map((m) => ({ headW: m.headW.clone(), headB: m.headB.clone() }));
  const snapshots = await Promise.all(
    modules.map(async (m) => [
      (await m.headW.data()) as Float32Array,
      (await m.headB.data()) as Float32Array,
    ]),
  );
  const random = createRandom(4);
  const n = 64;
  const x = Float32Array.from({ length: n * dim }, () => random.normal());
  const unionLabels = Int32Array.from({ length: n }, (_, i) => i % 6);
  const tasks = Int32Array.from(unionLabels, (l) => (l < 3 ? 0 : 1));
  const spec = { ...tinySpec().router, tuneHeads: true, headAnchor, lr: 0.05, epochs: 20, minSteps: 0 };
  try {
    await trainRouter(
      tf,
      modules,
      frozen,
      router,
      { x, dim, unionLabels, tasks },
      spec,
      (e) => createRandom(5, e),
      {},
      snapshots,
    );
    let drift = 0;
    modules.forEach((m, t) => {
      const a = start[t]!;
      drift +=
        tf.sum(tf.square(tf.sub(m.headW, a.headW))).dataSync()[0]! +
        tf.sum(tf.square(tf.sub(m.headB, a.headB))).dataSync()[0]!;
    });
    return drift;
  } finally {
    tf.dispose([
      ...modules.flatMap((m) => [...adapterVariables(m), ...headVariables(m)]),
      ...routerVariables(router),
      ...start.flatMap((s) => [s.headW, s.headB]),
    ]);
    frozen.dispose();
  }
}

describe('head_anchor', () => {
  it('keeps tuned heads near their isolated weights, more so the larger it is', async () => {
    const tf = await wasmTf();
    const free = await headDrift(tf, 0);
    const anchored = await headDrift(tf, 1);
    const tight = await headDrift(tf, 100);
    assert.ok(free > 0, 'without the anchor the heads move');
    assert.ok(anchored < free, `anchored drift ${anchored} < free drift ${free}`);
    assert.ok(tight < anchored, `tight drift ${tight} < anchored drift ${anchored}`);
  });
});
