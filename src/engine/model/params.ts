import type { Random } from '../random';
import { normalMatrix } from '../random';
import type { Tf, Variable } from '../tf';

/** One residual bottleneck adapter: h + relu(h D + bd) U + bu. */
export interface Adapter {
  readonly down: Variable;
  readonly downBias: Variable;
  readonly up: Variable;
  readonly upBias: Variable;
}

/** A task's adapters (one per backbone layer) and its classification head. */
export interface TaskModule {
  readonly task: string;
  readonly classes: readonly string[];
  readonly adapters: readonly Adapter[];
  readonly headW: Variable;
  readonly headB: Variable;
}

/** Per-layer routers: logits = h R + r, one logit per adapter. */
export interface RouterLayer {
  readonly w: Variable;
  readonly b: Variable;
}

let variableCounter = 0;
function variable(tf: Tf, values: Float32Array, shape: number[], name: string): Variable {
  variableCounter += 1;
  const initial = tf.tensor(values, shape);
  const v = tf.variable(initial, true, `${name}_${variableCounter}`);
  initial.dispose();
  return v;
}

export function createTaskModule(
  tf: Tf,
  task: string,
  classes: readonly string[],
  layers: number,
  dim: number,
  bottleneck: number,
  random: Random,
): TaskModule {
  const adapters: Adapter[] = [];
  for (let l = 0; l < layers; l++) {
    adapters.push({
      down: variable(
        tf,
        normalMatrix(dim, bottleneck, 1 / Math.sqrt(dim), random),
        [dim, bottleneck],
        'down',
      ),
      downBias: variable(tf, new Float32Array(bottleneck), [bottleneck], 'downBias'),
      // Near-zero up-projection: a new adapter starts as (almost) the identity.
      up: variable(tf, normalMatrix(bottleneck, dim, 1e-3, random), [bottleneck, dim], 'up'),
      upBias: variable(tf, new Float32Array(dim), [dim], 'upBias'),
    });
  }
  return {
    task,
    classes,
    adapters,
    headW: variable(
      tf,
      normalMatrix(dim, classes.length, 1 / Math.sqrt(dim), random),
      [dim, classes.length],
      'headW',
    ),
    headB: variable(tf, new Float32Array(classes.length), [classes.length], 'headB'),
  };
}

export function createRouter(
  tf: Tf,
  layers: number,
  dim: number,
  adapters: number,
  random: Random,
): RouterLayer[] {
  return Array.from({ length: layers }, () => ({
    w: variable(tf, normalMatrix(dim, adapters, 0.01, random), [dim, adapters], 'routerW'),
    b: variable(tf, new Float32Array(adapters), [adapters], 'routerB'),
  }));
}

export function adapterVariables(m: TaskModule): Variable[] {
  return m.adapters.flatMap((a) => [a.down, a.downBias, a.up, a.upBias]);
}

export function headVariables(m: TaskModule): Variable[] {
  return [m.headW, m.headB];
}

export function routerVariables(router: readonly RouterLayer[]): Variable[] {
  return router.flatMap((r) => [r.w, r.b]);
}
