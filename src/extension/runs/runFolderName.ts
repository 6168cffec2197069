/**
 * `<yyyymmdd-hhmmss>-<stream>`: sorts by time in any file browser, and names the stream. The stream
 * name is reduced to characters that are safe in a folder name on every platform.
 */
export function runFolderName(when: Date, stream: string): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp =
    `${when.getFullYear()}${pad(when.getMonth() + 1)}${pad(when.getDate())}-` +
    `${pad(when.getHours())}${pad(when.getMinutes())}${pad(when.getSeconds())}`;
  const safe = stream.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'stream';
  return `${stamp}-${safe}`;
}
