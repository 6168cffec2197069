import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { format, parse, validate } from '../../../src/language';

/** Seeded PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seedText = readFileSync(
  join(import.meta.dirname, '..', '..', '..', 'examples', 'mtl5-offline-full.l2r'),
  'utf8',
);
const alphabet = [
  '{',
  '}',
  '[',
  ']',
  '=',
  ',',
  '"',
  '#',
  '\n',
  ' ',
  'stream',
  'task',
  'order',
  'x',
  '1',
  '2%',
  '-',
  '\\',
  '\u1200',
  '\0',
];

function mutate(text: string, random: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(random() * 8);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (out.length + 1));
    const kind = random();
    if (kind < 0.4) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 5));
    else if (kind < 0.8)
      out = out.slice(0, at) + (alphabet[Math.floor(random() * alphabet.length)] ?? '') + out.slice(at);
    else out = out.slice(0, at) + out.slice(at, at + 40) + out.slice(at);
  }
  return out;
}

/** Parse + validate + format must never throw, on anything. Timing here is only a hang guard. */
function survive(text: string): void {
  const started = performance.now();
  const doc = parse(text);
  validate(doc);
  format(text);
  const ms = performance.now() - started;
  assert.ok(ms < 2000, `took ${ms} ms on input of ${text.length} chars`);
}

describe('fuzz: the language core never throws or hangs', () => {
  it('survives 3,000 mutations of a real stream file', () => {
    const random = rng(42);
    for (let i = 0; i < 3000; i++) survive(mutate(seedText, random));
  });

  it('survives 1,000 random byte strings', () => {
    const random = rng(7);
    for (let i = 0; i < 1000; i++) {
      const length = Math.floor(random() * 400);
      survive(String.fromCharCode(...Array.from({ length }, () => Math.floor(random() * 0x3000))));
    }
  });

  it('survives deep nesting and a 1 MB file', () => {
    survive('stream s {'.repeat(5000) + '}'.repeat(5000));
    survive('['.repeat(20000));
    const big = seedText.repeat(Math.ceil(1_000_000 / seedText.length));
    const doc = parse(big);
    assert.ok(doc.streams.length > 100);
    survive(big);
  });
});
