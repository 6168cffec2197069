import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { commandMeta } from '../../../src/extension/commandMeta';

const root = join(import.meta.dirname, '..', '..', '..');
interface Manifest {
  activationEvents: string[];
  engines: { vscode: string };
  extensionKind: string[];
  contributes: {
    commands: { command: string; title: string; category: string }[];
    menus: { commandPalette: { command: string; when: string }[] };
    configuration: {
      title: string;
      properties: Record<string, { default: unknown; description?: string; markdownDescription?: string }>;
    }[];
  };
  capabilities: { untrustedWorkspaces: { supported: string | boolean } };
  optionalDependencies: Record<string, string>;
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
const commandsSource = readFileSync(join(root, 'src', 'extension', 'commands.ts'), 'utf8');

describe('package.json manifest', () => {
  const ids = Object.keys(commandMeta);

  it('contributes exactly the commands of commandMeta, in category L2R, with their titles', () => {
    const contributed = manifest.contributes.commands;
    assert.deepEqual(contributed.map((c) => c.command).sort(), [...ids].sort());
    for (const c of contributed) {
      assert.equal(c.category, 'L2R');
      assert.equal(c.title, commandMeta[c.command as keyof typeof commandMeta].title);
    }
  });

  it('gives every command the palette when-clause of commandMeta', () => {
    const palette = new Map(manifest.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
    for (const id of ids) assert.equal(palette.get(id), commandMeta[id as keyof typeof commandMeta].when, id);
  });

  it('has a handler in the command table for every command', () => {
    for (const id of ids) assert.match(commandsSource, new RegExp(`id: '${id.replace('.', '\\.')}'`), id);
  });

  it('runs where the data is, on VS Code 1.100+, limited in untrusted workspaces', () => {
    assert.deepEqual(manifest.extensionKind, ['workspace']);
    assert.equal(manifest.engines.vscode, '^1.100.0');
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('does not activate eagerly', () => {
    assert.ok(!manifest.activationEvents.includes('*'));
    assert.ok(!manifest.activationEvents.includes('onStartupFinished'));
  });

  it('describes every setting and gives it a default', () => {
    for (const section of manifest.contributes.configuration) {
      for (const [key, prop] of Object.entries(section.properties)) {
        assert.ok(prop.default !== undefined, `${key} has no default`);
        assert.ok(
          (prop.description ?? prop.markdownDescription ?? '').length > 10,
          `${key} has no description`,
        );
      }
    }
  });

  it('keeps the native TensorFlow.js backends optional', () => {
    assert.ok('@tensorflow/tfjs-node' in manifest.optionalDependencies);
    assert.ok('@tensorflow/tfjs-node-gpu' in manifest.optionalDependencies);
  });
});

describe('README stays true to the manifest', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');

  it('documents every command by its palette title', () => {
    for (const c of manifest.contributes.commands)
      assert.ok(readme.includes(`**L2R: ${c.title}**`), c.command);
  });

  it('documents every setting', () => {
    for (const section of manifest.contributes.configuration) {
      for (const key of Object.keys(section.properties)) assert.ok(readme.includes(`\`${key}\``), key);
    }
  });

  it('keeps exactly the two set-up commands', () => {
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]?.trim());
    assert.deepEqual(blocks, ['npm ci && npm run demo', 'npm test']);
  });
});
