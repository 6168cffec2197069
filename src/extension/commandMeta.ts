/**
 * Title, icon and palette visibility of every command: the single source for package.json's
 * `contributes.commands` and `menus.commandPalette` (test/unit/extension/manifest.test.ts checks
 * they agree). Kept free of the `vscode` import so plain-Node tests can read it.
 */
export interface CommandMeta {
  readonly title: string;
  readonly icon: string;
  /** When the command shows in the palette. */
  readonly when: string;
}

const hasRuns = 'l2r.hasRuns';
const hasLiveRuns = 'l2r.hasLiveRuns';

export const commandMeta = {
  'l2r.runStream': { title: 'Run Stream', icon: '$(play)', when: 'isWorkspaceTrusted' },
  'l2r.runWithOptions': {
    title: 'Run Stream With Options...',
    icon: '$(run-all)',
    when: 'isWorkspaceTrusted',
  },
  'l2r.stopRun': { title: 'Stop Run', icon: '$(debug-stop)', when: hasLiveRuns },
  'l2r.resumeRun': {
    title: 'Resume Run',
    icon: '$(debug-continue)',
    when: `isWorkspaceTrusted && ${hasRuns}`,
  },
  'l2r.openProgress': { title: 'Open Progress', icon: '$(pulse)', when: hasRuns },
  'l2r.openMemory': { title: 'Open Memory', icon: '$(database)', when: hasRuns },
  'l2r.openRouter': { title: 'Open Router Composition', icon: '$(type-hierarchy)', when: hasRuns },
  'l2r.openResults': { title: 'Open Results', icon: '$(graph)', when: hasRuns },
  'l2r.compareRuns': { title: 'Compare Runs...', icon: '$(diff)', when: hasRuns },
  'l2r.validateStream': { title: 'Validate Stream', icon: '$(check)', when: 'editorLangId == l2r' },
  'l2r.newStreamFromExample': {
    title: 'New Stream From Example...',
    icon: '$(new-file)',
    when: 'workbenchState != empty',
  },
  'l2r.revealRunFolder': { title: 'Reveal Run Folder', icon: '$(folder-opened)', when: hasRuns },
  'l2r.deleteRun': { title: 'Delete Run...', icon: '$(trash)', when: hasRuns },
  'l2r.showLogs': { title: 'Show Logs', icon: '$(output)', when: 'true' },
  'l2r.refreshRuns': { title: 'Refresh Runs', icon: '$(refresh)', when: 'true' },
} as const satisfies Record<string, CommandMeta>;

export type CommandId = keyof typeof commandMeta;
