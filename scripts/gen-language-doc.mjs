// Generates docs/LANGUAGE.md from the schema (src/language/schema.ts), the single source of every
// key's type, default and documentation. test/unit/language/docs.test.ts fails when they drift.
// Usage: node --import tsx scripts/gen-language-doc.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderLanguageDoc } from '../src/language/languageDoc.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'docs', 'LANGUAGE.md');
const examples = ['tiny.l2r', 'mtl5-offline.l2r'].map((f) => ({
  name: f,
  text: readFileSync(join(root, 'examples', f), 'utf8'),
}));
const text = renderLanguageDoc(examples);
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== text) {
    console.error('docs/LANGUAGE.md is out of date: run node --import tsx scripts/gen-language-doc.mjs');
    process.exit(1);
  }
} else writeFileSync(target, text);
