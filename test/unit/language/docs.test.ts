import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderLanguageDoc } from '../../../src/language/languageDoc';
import { schema } from '../../../src/language/schema';

const root = join(import.meta.dirname, '..', '..', '..');

describe('docs/LANGUAGE.md', () => {
  it('is generated from the current schema (run scripts/gen-language-doc.mjs after changing it)', () => {
    const examples = ['tiny.l2r', 'mtl5-offline.l2r'].map((f) => ({
      name: f,
      text: readFileSync(join(root, 'examples', f), 'utf8'),
    }));
    assert.equal(readFileSync(join(root, 'docs', 'LANGUAGE.md'), 'utf8'), renderLanguageDoc(examples));
  });

  it('documents every key of every context', () => {
    const doc = readFileSync(join(root, 'docs', 'LANGUAGE.md'), 'utf8');
    for (const keys of Object.values(schema))
      for (const key of Object.keys(keys)) assert.ok(doc.includes(`| \`${key}\` |`), key);
  });
});
