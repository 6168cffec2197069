import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** A nonce for the Content-Security-Policy: only our own script tag may run. */
export function nonce(): string {
  return randomBytes(16).toString('base64');
}

/** The page of a panel: strict CSP (no remote origins, nonce scripts), theme variables, one bundle. */
export function panelHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  bundle: string,
  title: string,
): string {
  const n = nonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${bundle}.js`));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${n}'`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>${title}</title>
</head>
<body>
  <main id="app" aria-live="polite"><p>Loading…</p></main>
  <script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
}

export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}
