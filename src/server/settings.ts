import type { Connection } from 'vscode-languageserver';

export interface ServerSettings {
  /** Check data files (existence, fields, labels) as part of diagnostics. */
  readonly checkDataFiles: boolean;
}

const defaults: ServerSettings = { checkDataFiles: true };

/**
 * Settings are pulled from the client per document (a folder can override them), never cached in
 * globals: the client may change them at any time.
 */
export async function settingsFor(
  connection: Connection,
  uri: string,
  clientSupportsConfiguration: boolean,
): Promise<ServerSettings> {
  if (!clientSupportsConfiguration) return defaults;
  try {
    const value = (await connection.workspace.getConfiguration({
      scopeUri: uri,
      section: 'l2r.validation',
    })) as Partial<ServerSettings> | null;
    return {
      checkDataFiles:
        typeof value?.checkDataFiles === 'boolean' ? value.checkDataFiles : defaults.checkDataFiles,
    };
  } catch {
    return defaults;
  }
}
