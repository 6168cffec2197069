import { open, stat } from 'node:fs/promises';
import type { FileProbe } from './dataCheck';

/** The real file system, reading only file heads; results cached by (path, mtime) for the editor. */
export function nodeFileProbe(): FileProbe {
  const heads = new Map<string, { mtime: number; text: string }>();
  return {
    async exists(path) {
      try {
        await stat(path);
        return true;
      } catch {
        return false;
      }
    },
    async size(path) {
      try {
        return (await stat(path)).size;
      } catch {
        return undefined;
      }
    },
    async head(path, bytes) {
      try {
        const info = await stat(path);
        const cached = heads.get(path);
        if (cached !== undefined && cached.mtime === info.mtimeMs) return cached.text;
        const handle = await open(path, 'r');
        try {
          const buffer = Buffer.alloc(Math.min(bytes, info.size));
          await handle.read(buffer, 0, buffer.length, 0);
          const text = buffer.toString('utf8');
          heads.set(path, { mtime: info.mtimeMs, text });
          return text;
        } finally {
          await handle.close();
        }
      } catch {
        return undefined;
      }
    },
  };
}
