// Language benchmark: time from an edit to diagnostics for a 2,000-line stream file (parse +
// validate, the work the server does per keystroke before the lazy data-file checks).
// Usage: node --import tsx bench/language.bench.mjs
import { parse, validate } from '../src/language/index.ts';

function bigStream(lines) {
  const tasks = [];
  let text = '';
  for (let i = 0; text.split('\n').length < lines - 20; i++) {
    tasks.push(`t${i}`);
    text += `# task ${i}\ntask t${i} {\n  data = "data/t${i}.train.jsonl"\n  test = "data/t${i}.test.jsonl"\n  text = "text"\n  label = "label"\n  split_key = "doc"\n  max_train = 2000\n}\n\n`;
  }
  const head = `stream big {\n  order main = [${tasks.join(', ')}]\n  seeds = [1, 2, 3]\n  backbone {\n    type = glove100\n    layers = 4\n  }\n  adapter {\n    epochs = 3\n  }\n  memory {\n    size = 2%\n  }\n  router {\n    epochs = 10\n  }\n}\n\n`;
  return head + text;
}

const source = bigStream(2000);
const lines = source.split('\n').length;
const times = [];
for (let i = 0; i < 60; i++) {
  // A one-character edit each time, as a keystroke would make.
  const edited = source.replace('epochs = 3', `epochs = ${3 + (i % 5)}`);
  const started = performance.now();
  const diagnostics = validate(parse(edited));
  times.push(performance.now() - started);
  if (diagnostics.some((d) => d.severity === 'error'))
    throw new Error(`unexpected error: ${diagnostics[0].message}`);
}
const warm = times.slice(10).sort((a, b) => a - b);
const pick = (q) => warm[Math.floor(q * (warm.length - 1))];
console.log(
  JSON.stringify(
    {
      lines,
      bytes: source.length,
      medianMs: +pick(0.5).toFixed(2),
      p90Ms: +pick(0.9).toFixed(2),
      firstMs: +times[0].toFixed(2),
    },
    null,
    2,
  ),
);
