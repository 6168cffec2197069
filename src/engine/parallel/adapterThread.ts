// A worker thread that trains tasks' isolated adapters for the engine (src/protocol/adapterThread.ts):
// its own TensorFlow.js instance on the engine's backend, the same random streams and the same
// training loop as in-process training, so the weights it returns are the ones the engine would
// have computed itself. Jobs run one at a time, in the order they arrive.
import { parentPort } from 'node:worker_threads';
import type {
  AdapterThreadToEngine,
  EngineToAdapterThread,
  TrainAdapterJob,
} from '../../protocol/adapterThread';
import { tf, setWasmPaths } from '../bundledTf';
import { createVectorBackbone } from '../model/backbone';
import { adapterVariables, createTaskModule, headVariables } from '../model/params';
import { randomStreams } from '../streams';
import { Cancelled } from '../train/hooks';
import { trainAdapter } from '../train/trainAdapter';
import { concatValues } from './values';

const port = parentPort;
if (port === null) throw new Error('adapterThread runs as a worker thread');
const post = (message: AdapterThreadToEngine, transfer: ArrayBuffer[] = []): void =>
  port.postMessage(message, transfer);

let stopped = false;
let ready: Promise<void> | undefined;
const queue: TrainAdapterJob[] = [];
let running = false;

async function initialise(job: TrainAdapterJob): Promise<void> {
  if (job.backend === 'wasm') setWasmPaths(job.wasmDir.endsWith('/') ? job.wasmDir : `${job.wasmDir}/`);
  if (!(await tf.setBackend(job.backend))) throw new Error(`the ${job.backend} backend failed to initialise`);
  await tf.ready();
}

async function train(job: TrainAdapterJob): Promise<void> {
  ready ??= initialise(job);
  await ready;
  // The same seeded streams as the engine's own training (src/engine/streams.ts).
  const frozen = createVectorBackbone(tf, job.layers, job.dim, randomStreams.vectorBackbone(job.seed));
  const module = createTaskModule(
    tf,
    job.task,
    job.classes,
    job.layers,
    job.dim,
    job.adapter.bottleneck,
    randomStreams.adapterInit(job.seed, job.orderKey, job.taskIndex),
  );
  const vars = [...adapterVariables(module), ...headVariables(module)];
  let lastStep = 0;
  let stats = { loss: 0, trainAccuracy: 0, examplesPerSecond: 0 };
  try {
    await trainAdapter(
      tf,
      module,
      frozen,
      { x: job.x, labels: job.labels, dim: job.width },
      job.adapter,
      randomStreams.adapterEpoch(job.seed, job.orderKey, job.taskIndex),
      {
        shouldStop: () => stopped,
        onStep: (s) => {
          const now = performance.now();
          if (now - lastStep < 250) return;
          lastStep = now;
          post({ kind: 'step', unit: job.unit, ...s });
        },
        onEpoch: (e) => {
          stats = { loss: e.loss, trainAccuracy: e.trainAccuracy, examplesPerSecond: e.examplesPerSecond };
        },
        // The loop checkpoints right after each epoch's statistics: both travel in one message.
        checkpoint: async (epoch, optimizer) => {
          const weights = await optimizer.getWeights();
          try {
            const checkpoint = await concatValues([...vars, ...weights.map((w) => w.tensor)]);
            post(
              {
                kind: 'epoch',
                unit: job.unit,
                epoch,
                epochs: job.adapter.epochs,
                ...stats,
                checkpoint,
                optimizer: weights.map((w) => ({ name: w.name, shape: w.tensor.shape })),
              },
              [checkpoint.buffer as ArrayBuffer],
            );
          } finally {
            // getWeights returns the live accumulators plus a fresh iteration counter: only that one is ours.
            weights.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
          }
        },
      },
      { kernels: job.kernels },
    );
    const values = await concatValues(vars);
    post({ kind: 'done', unit: job.unit, values }, [values.buffer as ArrayBuffer]);
  } finally {
    tf.dispose(vars);
    frozen.dispose();
  }
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let job = queue.shift(); job !== undefined && !stopped; job = queue.shift()) {
      try {
        await train(job);
      } catch (error) {
        if (error instanceof Cancelled) return;
        post({
          kind: 'failed',
          unit: job.unit,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  } finally {
    running = false;
  }
}

port.on('message', (message: EngineToAdapterThread) => {
  if (message.kind === 'stop') {
    stopped = true;
    return;
  }
  queue.push(message);
  void drain();
});
