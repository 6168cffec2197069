import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = join(import.meta.dirname, '..', '..', '..');

/** Lints `code` as if it were the file at `path`, with the project's own layering rules. */
async function lintAs(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    // Type-aware rules need a file on disk; layering needs none, so lint the virtual file without types.
    overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
  });
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering is enforced by lint', () => {
  const vscodeImport = "import * as vscode from 'vscode';\nexport const x = vscode;\n";

  for (const folder of [
    'src/engine',
    'src/language',
    'src/protocol',
    'src/server',
    'src/worker',
    'src/cli',
    'webview/progress',
  ]) {
    it(`rejects the VS Code API in ${folder}`, async () => {
      const messages = await lintAs(`${folder}/probe.ts`, vscodeImport);
      assert.equal(messages.length, 1, `expected one layering error, got ${JSON.stringify(messages)}`);
    });
  }

  it('allows the VS Code API in src/extension', async () => {
    assert.deepEqual(await lintAs('src/extension/probe.ts', vscodeImport), []);
  });

  it('keeps TensorFlow.js out of the extension host', async () => {
    const messages = await lintAs(
      'src/extension/probe.ts',
      "import * as tf from '@tensorflow/tfjs-core';\nexport const x = tf;\n",
    );
    assert.equal(messages.length, 1);
  });

  it('keeps the engine independent of the language core', async () => {
    const messages = await lintAs(
      'src/engine/probe.ts',
      "import { x } from '../language/index';\nexport const y = x;\n",
    );
    assert.equal(messages.length, 1);
  });

  it('lets the engine use the shared protocol', async () => {
    const messages = await lintAs(
      'src/engine/probe.ts',
      "import type { ExperimentSpec } from '../protocol/spec';\nexport type S = ExperimentSpec;\n",
    );
    assert.deepEqual(messages, []);
  });
});
