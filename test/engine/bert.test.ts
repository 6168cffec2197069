import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runExperiment } from '../../src/engine';
import type { RunOutcome } from '../../src/engine';
import { createBertBackbone, loadBertCheckpoint } from '../../src/engine/bert/bertBackbone';
import { readSafetensors, writeSafetensors } from '../../src/engine/bert/safetensors';
import { createWordPiece, encode } from '../../src/engine/bert/wordpiece';
import type { LoadedTensor } from '../../src/engine/bert/safetensors';
import { gloveFile, tempDir, wasmTf } from './helpers';
import { tinySpec } from './specFixture';
import { tinyVocab, writeTinyBert } from './bertFixture';

describe('bert backbone', () => {
  it('reads and writes safetensors, including F16', () => {
    const tensors = new Map<string, LoadedTensor>([
      ['a', { shape: [2, 2], data: Float32Array.from([1, -2, 0.5, 3]) }],
    ]);
    const back = readSafetensors(writeSafetensors(tensors));
    assert.deepEqual(Array.from(back.get('a')?.data ?? []), [1, -2, 0.5, 3]);
    // A hand-made F16 file: 1.0 = 0x3C00, -2.0 = 0xC000.
    const header = new TextEncoder().encode(
      JSON.stringify({ h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }),
    );
    const bytes = new Uint8Array(8 + header.length + 4);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    view.setUint16(8 + header.length, 0x3c00, true);
    view.setUint16(8 + header.length + 2, 0xc000, true);
    assert.deepEqual(Array.from(readSafetensors(bytes).get('h')?.data ?? []), [1, -2]);
    assert.throws(() => readSafetensors(new Uint8Array(4)), /not a readable safetensors file/);
  });

  it('tokenises with WordPiece: lower-casing, ## continuations, unknown words, [CLS]/[SEP]/[PAD]', () => {
    const wp = createWordPiece(tinyVocab.join('\n'), true);
    const ids = Array.from(encode(wp, 'Hello plays, PLAYING zebra!', 12)).map((i) => tinyVocab[i]);
    assert.deepEqual(ids, [
      '[CLS]',
      'hello',
      'play',
      '##s',
      ',',
      'play',
      '##ing',
      '[UNK]',
      '!',
      '[SEP]',
      '[PAD]',
      '[PAD]',
    ]);
    assert.equal(encode(wp, 'the the the the the the', 4).length, 4);
    assert.deepEqual(
      Array.from(encode(wp, 'the the the the', 4)).map((i) => tinyVocab[i]),
      ['[CLS]', 'the', 'the', '[SEP]'],
    );
  });

  it('computes the encoder as a plain reference implementation does', async () => {
    const tf = await wasmTf();
    const folder = tempDir('l2r-bert-');
    const weights = writeTinyBert(folder, { hidden: 4, heads: 2, layers: 1, intermediate: 6 });
    const checkpoint = await loadBertCheckpoint(folder);
    const backbone = createBertBackbone(tf, checkpoint, 5);
    const ids = [2, 8, 9, 3, 0]; // [CLS] hello world [SEP] [PAD]
    const pooled = tf.tidy(() =>
      backbone.pool(tf, backbone.layer(tf, backbone.input(tf, Float32Array.from(ids), 1), 0)),
    );
    const got = Array.from(await pooled.data());
    pooled.dispose();
    backbone.dispose();
    const expected = referenceEncoder(weights, ids, { d: 4, heads: 2 });
    got.forEach((g, i) =>
      assert.ok(Math.abs(g - (expected[i] ?? 0)) < 2e-3, `dim ${i}: ${g} vs ${expected[i]}`),
    );
  });

  it('runs a stream end to end with adapters on a local checkpoint, deterministically', async () => {
    const tf = await wasmTf();
    const folder = tempDir('l2r-bert-stream-');
    writeTinyBert(folder);
    writeFileSync(join(folder, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true }));
    const spec = tinySpec({ backbone: { type: 'bert', path: folder, maxLength: 16 } });
    const before = tf.memory().numTensors;
    const run = async () =>
      runExperiment(spec, {
        runDir: tempDir('l2r-bert-run-'),
        tf,
        backend: 'wasm',
        resume: false,
        gloveFile,
        shouldStop: () => false,
        onEvent: () => undefined,
      });
    const a = await run();
    const b = await run();
    assert.equal(a.kind, 'completed');
    const rows = (o: RunOutcome) =>
      o.kind === 'completed' ? o.metrics.rows.map((r) => [r.method, r.setting, r.accuracy]) : [];
    assert.ok(rows(a).some(([m]) => m === 'l2r-wavg'));
    assert.deepEqual(rows(a), rows(b));
    assert.equal(tf.memory().numTensors, before);
  });

  it('says which file is missing from a checkpoint folder', async () => {
    await assert.rejects(loadBertCheckpoint(tempDir('l2r-bert-empty-')), /has no config\.json/);
  });
});

/** BERT layer 0 + masked mean pooling, in plain loops (an independent check of the TF.js graph). */
function referenceEncoder(
  w: Map<string, LoadedTensor>,
  ids: number[],
  c: { d: number; heads: number },
): number[] {
  const W = (n: string): LoadedTensor => {
    const t = w.get(`bert.${n}`);
    if (t === undefined) throw new Error(n);
    return t;
  };
  const d = c.d;
  const T = ids.length;
  const ln = (x: number[], g: LoadedTensor, b: LoadedTensor): number[] => {
    const m = x.reduce((a, v) => a + v, 0) / x.length;
    const v = x.reduce((a, y) => a + (y - m) ** 2, 0) / x.length;
    return x.map((y, i) => ((y - m) / Math.sqrt(v + 1e-12)) * (g.data[i] ?? 0) + (b.data[i] ?? 0));
  };
  // PyTorch linear: y = x W^T + b with W [out, in].
  const lin = (x: number[], name: string): number[] => {
    const wt = W(`${name}.weight`);
    const bias = W(`${name}.bias`);
    const out = wt.shape[0] ?? 0;
    return Array.from({ length: out }, (_, o) =>
      x.reduce((a, xi, i) => a + xi * (wt.data[o * x.length + i] ?? 0), bias.data[o] ?? 0),
    );
  };
  const geluTanh = (z: number): number =>
    0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
  const emb = ids.map((id, t) =>
    ln(
      Array.from(
        { length: d },
        (_, j) =>
          (W('embeddings.word_embeddings.weight').data[id * d + j] ?? 0) +
          (W('embeddings.position_embeddings.weight').data[t * d + j] ?? 0) +
          (W('embeddings.token_type_embeddings.weight').data[j] ?? 0),
      ),
      W('embeddings.LayerNorm.weight'),
      W('embeddings.LayerNorm.bias'),
    ),
  );
  const mask: number[] = ids.map((id) => (id === 0 ? 0 : 1));
  const p = 'encoder.layer.0';
  const q = emb.map((x) => lin(x, `${p}.attention.self.query`));
  const k = emb.map((x) => lin(x, `${p}.attention.self.key`));
  const v = emb.map((x) => lin(x, `${p}.attention.self.value`));
  const dh = d / c.heads;
  const context = emb.map(() => new Array<number>(d).fill(0));
  for (let h = 0; h < c.heads; h++) {
    for (let i = 0; i < T; i++) {
      const scores = Array.from({ length: T }, (_, j) => {
        let s = 0;
        for (let e = 0; e < dh; e++) s += (q[i]?.[h * dh + e] ?? 0) * (k[j]?.[h * dh + e] ?? 0);
        return s / Math.sqrt(dh) + (1 - (mask[j] ?? 0)) * -1e4;
      });
      const max = Math.max(...scores);
      const exp = scores.map((s) => Math.exp(s - max));
      const sum = exp.reduce((a, b) => a + b, 0);
      for (let j = 0; j < T; j++)
        for (let e = 0; e < dh; e++)
          context[i]![h * dh + e]! += ((exp[j] ?? 0) / sum) * (v[j]?.[h * dh + e] ?? 0);
    }
  }
  const out = emb.map((x, t) => {
    const attended = ln(
      lin(context[t] ?? [], `${p}.attention.output.dense`).map((y, i) => y + (x[i] ?? 0)),
      W(`${p}.attention.output.LayerNorm.weight`),
      W(`${p}.attention.output.LayerNorm.bias`),
    );
    const ffn = lin(lin(attended, `${p}.intermediate.dense`).map(geluTanh), `${p}.output.dense`);
    return ln(
      ffn.map((y, i) => y + (attended[i] ?? 0)),
      W(`${p}.output.LayerNorm.weight`),
      W(`${p}.output.LayerNorm.bias`),
    );
  });
  const real = mask.reduce((a, m) => a + m, 0);
  return Array.from(
    { length: d },
    (_, j) => out.reduce((a, row, t) => a + (row[j] ?? 0) * (mask[t] ?? 0), 0) / real,
  );
}
