import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedTensor } from '../../src/engine/bert/safetensors';
import { writeSafetensors } from '../../src/engine/bert/safetensors';
import { createRandom } from '../../src/engine/random';

export const tinyVocab = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  'the',
  'spam',
  'free',
  'money',
  'hello',
  'world',
  'play',
  '##s',
  '##ing',
  'news',
  'and',
  'of',
  '.',
  ',',
  '!',
];

export interface TinyBertOptions {
  readonly hidden?: number;
  readonly heads?: number;
  readonly layers?: number;
  readonly intermediate?: number;
  readonly maxPositions?: number;
  readonly prefix?: string;
}

/**
 * Writes a tiny random-weight BERT checkpoint (config.json, model.safetensors, vocab.txt) in the
 * Hugging Face layout, with PyTorch's [out, in] linear weights. Returns the weights it wrote.
 */
export function writeTinyBert(folder: string, options: TinyBertOptions = {}): Map<string, LoadedTensor> {
  const d = options.hidden ?? 8;
  const heads = options.heads ?? 2;
  const layers = options.layers ?? 2;
  const inter = options.intermediate ?? 16;
  const maxPositions = options.maxPositions ?? 32;
  const prefix = options.prefix ?? 'bert.';
  const random = createRandom(2024);
  const weights = new Map<string, LoadedTensor>();
  const add = (name: string, shape: number[], scale = 0.5, offset = 0): void => {
    const size = shape.reduce((a, b) => a * b, 1);
    weights.set(`${prefix}${name}`, {
      shape,
      data: Float32Array.from({ length: size }, () => offset + random.normal() * scale),
    });
  };
  add('embeddings.word_embeddings.weight', [tinyVocab.length, d]);
  add('embeddings.position_embeddings.weight', [maxPositions, d]);
  add('embeddings.token_type_embeddings.weight', [2, d]);
  add('embeddings.LayerNorm.weight', [d], 0.1, 1);
  add('embeddings.LayerNorm.bias', [d], 0.1);
  for (let i = 0; i < layers; i++) {
    const p = `encoder.layer.${i}`;
    for (const n of [
      'attention.self.query',
      'attention.self.key',
      'attention.self.value',
      'attention.output.dense',
    ]) {
      add(`${p}.${n}.weight`, [d, d]);
      add(`${p}.${n}.bias`, [d], 0.1);
    }
    add(`${p}.attention.output.LayerNorm.weight`, [d], 0.1, 1);
    add(`${p}.attention.output.LayerNorm.bias`, [d], 0.1);
    add(`${p}.intermediate.dense.weight`, [inter, d]);
    add(`${p}.intermediate.dense.bias`, [inter], 0.1);
    add(`${p}.output.dense.weight`, [d, inter]);
    add(`${p}.output.dense.bias`, [d], 0.1);
    add(`${p}.output.LayerNorm.weight`, [d], 0.1, 1);
    add(`${p}.output.LayerNorm.bias`, [d], 0.1);
  }
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, 'config.json'),
    JSON.stringify({
      vocab_size: tinyVocab.length,
      hidden_size: d,
      num_hidden_layers: layers,
      num_attention_heads: heads,
      intermediate_size: inter,
      max_position_embeddings: maxPositions,
      type_vocab_size: 2,
      layer_norm_eps: 1e-12,
    }),
  );
  writeFileSync(join(folder, 'model.safetensors'), writeSafetensors(weights));
  writeFileSync(join(folder, 'vocab.txt'), tinyVocab.join('\n'));
  return weights;
}
