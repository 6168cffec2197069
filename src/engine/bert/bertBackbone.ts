import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlainBert, PlainDense } from '../kernels/bertLayers';
import type { FrozenBackbone, LayerState } from '../model/backbone';
import { gelu, layerNorm } from '../model/backbone';
import { linearOps } from '../model/linear';
import type { Tensor, Tensor2D, Tf } from '../tf';
import type { LoadedTensor } from './safetensors';
import { readSafetensors } from './safetensors';
import type { WordPiece } from './wordpiece';
import { createWordPiece, encode } from './wordpiece';

/** The fields of a Hugging Face BERT config.json the encoder needs. */
export interface BertConfig {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediateSize: number;
  readonly maxPositions: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
}

export function parseBertConfig(text: string, file = 'config.json'): BertConfig {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${file} is not JSON.`);
  }
  const n = (key: string, fallback?: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${file} lacks a numeric "${key}".`);
    return v;
  };
  const config = {
    vocabSize: n('vocab_size'),
    hiddenSize: n('hidden_size'),
    layers: n('num_hidden_layers'),
    heads: n('num_attention_heads'),
    intermediateSize: n('intermediate_size'),
    maxPositions: n('max_position_embeddings', 512),
    typeVocabSize: n('type_vocab_size', 2),
    layerNormEps: n('layer_norm_eps', 1e-12),
  };
  if (config.hiddenSize % config.heads !== 0)
    throw new Error(
      `${file}: hidden_size ${config.hiddenSize} is not divisible by num_attention_heads ${config.heads}.`,
    );
  return config;
}

/** A checkpoint folder loaded: config, weights by name (prefix `bert.` removed), tokenizer. */
export interface BertCheckpoint {
  readonly config: BertConfig;
  readonly weights: ReadonlyMap<string, LoadedTensor>;
  readonly tokenizer: WordPiece;
}

export async function loadBertCheckpoint(folder: string): Promise<BertCheckpoint> {
  const read = async (name: string): Promise<Buffer> => {
    try {
      return await readFile(join(folder, name));
    } catch {
      throw new Error(
        `The bert backbone folder ${folder} has no ${name} (a Hugging Face checkpoint has config.json, model.safetensors and vocab.txt).`,
      );
    }
  };
  const config = parseBertConfig((await read('config.json')).toString('utf8'), join(folder, 'config.json'));
  const raw = readSafetensors(await read('model.safetensors'), join(folder, 'model.safetensors'));
  const weights = new Map<string, LoadedTensor>();
  for (const [name, t] of raw)
    weights.set(
      name
        .replace(/^bert\./, '')
        .replace(/\.gamma$/, '.weight')
        .replace(/\.beta$/, '.bias'),
      t,
    );
  const tokenizerConfig = await readFile(join(folder, 'tokenizer_config.json'), 'utf8')
    .then((t) => JSON.parse(t) as { do_lower_case?: boolean })
    .catch(() => ({ do_lower_case: true }));
  const tokenizer = createWordPiece(
    (await read('vocab.txt')).toString('utf8'),
    tokenizerConfig.do_lower_case !== false,
    join(folder, 'vocab.txt'),
  );
  return { config, weights, tokenizer };
}

/** Texts -> rows of token ids (as floats: ids are exact below 2^24), width `maxLength`. */
export function bertFeaturize(
  checkpoint: BertCheckpoint,
  texts: readonly string[],
  maxLength: number,
): Float32Array {
  const out = new Float32Array(texts.length * maxLength);
  texts.forEach((text, i) => out.set(encode(checkpoint.tokenizer, text, maxLength), i * maxLength));
  return out;
}

/** Encoder layer i's tensors by their Hugging Face names, read with the given dense and norm readers. */
function encoderLayer<D, N>(i: number, dense: (prefix: string) => D, norm: (prefix: string) => N) {
  const p = `encoder.layer.${i}`;
  return {
    q: dense(`${p}.attention.self.query`),
    k: dense(`${p}.attention.self.key`),
    v: dense(`${p}.attention.self.value`),
    o: dense(`${p}.attention.output.dense`),
    norm1: norm(`${p}.attention.output.LayerNorm`),
    up: dense(`${p}.intermediate.dense`),
    down: dense(`${p}.output.dense`),
    norm2: norm(`${p}.output.LayerNorm`),
  };
}

/** The encoder's weights as plain numbers for the kernels (kernels/bertLayers.ts), products as [in x out]. */
function plainBert(checkpoint: BertCheckpoint, maxLength: number): PlainBert {
  const { config } = checkpoint;
  const get = (name: string): LoadedTensor => {
    const t = checkpoint.weights.get(name);
    if (t === undefined)
      throw new Error(`model.safetensors has no tensor "${name}" (is this a BERT checkpoint?).`);
    return t;
  };
  const dense = (prefix: string): PlainDense => {
    // PyTorch stores linear weights as [out, in].
    const stored = get(`${prefix}.weight`);
    const [outputs = 0, inputs = 0] = stored.shape;
    const w = new Float32Array(inputs * outputs);
    for (let o = 0; o < outputs; o++)
      for (let i = 0; i < inputs; i++) w[i * outputs + o] = stored.data[o * inputs + i] ?? 0;
    return { w, b: get(`${prefix}.bias`).data };
  };
  const norm = (prefix: string) => ({ g: get(`${prefix}.weight`).data, b: get(`${prefix}.bias`).data });
  const d = config.hiddenSize;
  return inSharedMemory({
    hidden: d,
    heads: config.heads,
    intermediate: config.intermediateSize,
    eps: config.layerNormEps,
    maxLength,
    padId: checkpoint.tokenizer.ids.pad,
    embeddings: {
      word: get('embeddings.word_embeddings.weight').data,
      position: get('embeddings.position_embeddings.weight').data.subarray(0, maxLength * d),
      type: get('embeddings.token_type_embeddings.weight').data.subarray(0, d),
      norm: norm('embeddings.LayerNorm'),
    },
    layers: Array.from({ length: config.layers }, (_, i) => encoderLayer(i, dense, norm)),
  });
}

/**
 * The encoder's numbers copied into one SharedArrayBuffer: the kernels' helper threads receive them
 * without a copy (a structured clone of 40+ MB of weights took about 0.3 s per thread started).
 */
function inSharedMemory(plain: PlainBert): PlainBert {
  const arrays: Float32Array[] = [];
  const dense = (p: PlainDense) => [p.w, p.b];
  const { embeddings: e } = plain;
  arrays.push(e.word, e.position, e.type, e.norm.g, e.norm.b);
  for (const l of plain.layers)
    arrays.push(
      ...dense(l.q),
      ...dense(l.k),
      ...dense(l.v),
      ...dense(l.o),
      ...dense(l.up),
      ...dense(l.down),
      l.norm1.g,
      l.norm1.b,
      l.norm2.g,
      l.norm2.b,
    );
  const buffer = new SharedArrayBuffer(arrays.reduce((sum, a) => sum + a.length, 0) * 4);
  let offset = 0;
  const copies = new Map<Float32Array, Float32Array>();
  for (const a of arrays) {
    const copy = new Float32Array(buffer, offset * 4, a.length);
    copy.set(a);
    copies.set(a, copy);
    offset += a.length;
  }
  const shared = (a: Float32Array): Float32Array => copies.get(a) ?? a;
  const sharedDense = (p: PlainDense): PlainDense => ({ w: shared(p.w), b: shared(p.b) });
  const sharedNorm = (n: { g: Float32Array; b: Float32Array }) => ({ g: shared(n.g), b: shared(n.b) });
  return {
    ...plain,
    embeddings: {
      word: shared(e.word),
      position: shared(e.position),
      type: shared(e.type),
      norm: sharedNorm(e.norm),
    },
    layers: plain.layers.map((l) => ({
      q: sharedDense(l.q),
      k: sharedDense(l.k),
      v: sharedDense(l.v),
      o: sharedDense(l.o),
      up: sharedDense(l.up),
      down: sharedDense(l.down),
      norm1: sharedNorm(l.norm1),
      norm2: sharedNorm(l.norm2),
    })),
  };
}

/**
 * A frozen BERT encoder in TF.js with an adapter slot after each layer's output (after the
 * feed-forward block and its LayerNorm). Attention uses the padding mask; routers and heads see the
 * masked mean of the token states. GELU is the tanh approximation (within 1e-3 of the exact one).
 */
export function createBertBackbone(tf: Tf, checkpoint: BertCheckpoint, maxLength: number): FrozenBackbone {
  const { config } = checkpoint;
  if (maxLength > config.maxPositions)
    throw new Error(
      `max_length ${maxLength} exceeds the checkpoint's max_position_embeddings ${config.maxPositions}.`,
    );
  const owned: Tensor[] = [];
  const get = (name: string, transpose = false): Tensor2D => {
    const t = checkpoint.weights.get(name);
    if (t === undefined)
      throw new Error(`model.safetensors has no tensor "${name}" (is this a BERT checkpoint?).`);
    const raw: Tensor = tf.tensor(t.data, [...t.shape]);
    const tensor = raw as Tensor2D;
    owned.push(tensor);
    if (!transpose) return tensor;
    // PyTorch stores linear weights as [out, in]; products here use [in, out].
    const tt = tf.transpose(tensor);
    owned.push(tt);
    return tt;
  };
  const dense = (prefix: string) => {
    const w = get(`${prefix}.weight`, true);
    const wT = tf.transpose(w) as Tensor2D;
    owned.push(wT);
    return { w, wT, b: get(`${prefix}.bias`) };
  };
  const norm = (prefix: string) => ({ g: get(`${prefix}.weight`), b: get(`${prefix}.bias`) });
  const embeddings = {
    word: get('embeddings.word_embeddings.weight'),
    position: get('embeddings.position_embeddings.weight'),
    type: get('embeddings.token_type_embeddings.weight'),
    norm: norm('embeddings.LayerNorm'),
  };
  const layers = Array.from({ length: config.layers }, (_, i) => encoderLayer(i, dense, norm));
  const d = config.hiddenSize;
  const heads = config.heads;
  const dh = d / heads;
  const eps = config.layerNormEps;
  const frozenDense = (x: Tensor, layer: { w: Tensor2D; wT: Tensor2D; b: Tensor2D }): Tensor => {
    const [b = 0, t = 0] = x.shape;
    const flat = tf.reshape(x, [b * t, x.shape[2] ?? 0]) as Tensor2D;
    const y = tf.add(linearOps(tf).frozenMatMul(flat, layer.w, layer.wT), layer.b);
    return tf.reshape(y, [b, t, layer.w.shape[1]]);
  };
  const splitHeads = (x: Tensor, b: number, t: number): Tensor =>
    tf.transpose(tf.reshape(x, [b, t, heads, dh]), [0, 2, 1, 3]);

  return {
    layers: config.layers,
    dim: d,
    inputWidth: maxLength,
    evalBatch: 32,
    plainBert: plainBert(checkpoint, maxLength),
    input: (t, rows, count) => {
      const ids = t.tensor2d(Int32Array.from(rows), [count, maxLength], 'int32');
      const mask = t.cast(t.notEqual(ids, checkpoint.tokenizer.ids.pad), 'float32') as Tensor2D;
      const positions = t.slice(embeddings.position, [0, 0], [maxLength, d]);
      const summed = t.add(
        t.add(t.gather(embeddings.word, ids), positions),
        t.slice(embeddings.type, [0, 0], [1, d]),
      );
      return { h: layerNorm(t, summed, embeddings.norm.g, embeddings.norm.b, eps), mask };
    },
    layer: (t, state, l) => {
      const w = layers[l];
      if (w === undefined || state.mask === undefined) throw new Error(`no bert layer ${l}`);
      const [b = 0, len = 0] = state.h.shape;
      const q = splitHeads(frozenDense(state.h, w.q), b, len);
      const k = splitHeads(frozenDense(state.h, w.k), b, len);
      const v = splitHeads(frozenDense(state.h, w.v), b, len);
      const additiveMask = t.reshape(t.mul(t.sub(1, state.mask), -1e4), [b, 1, 1, len]);
      const { batchMatMul } = linearOps(t);
      const scores = t.add(t.div(batchMatMul(q, t.transpose(k, [0, 1, 3, 2])), Math.sqrt(dh)), additiveMask);
      const context = t.reshape(t.transpose(batchMatMul(t.softmax(scores), v), [0, 2, 1, 3]), [b, len, d]);
      const attended = layerNorm(t, t.add(frozenDense(context, w.o), state.h), w.norm1.g, w.norm1.b, eps);
      const ffn = frozenDense(gelu(t, frozenDense(attended, w.up)), w.down);
      return { h: layerNorm(t, t.add(ffn, attended), w.norm2.g, w.norm2.b, eps), mask: state.mask };
    },
    pool: (t, state: LayerState) => {
      const mask = state.mask;
      if (mask === undefined) return state.h as Tensor2D;
      const summed = t.sum(t.mul(state.h, t.expandDims(mask, 2)), 1);
      return t.div(summed, t.maximum(t.sum(mask, 1, true), 1)) as Tensor2D;
    },
    dispose: () => tf.dispose(owned),
  };
}
