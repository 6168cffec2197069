import type { BackendName, BackendPreference } from '../protocol/spec';
import type { Tf } from './tf';

/** A way to obtain a TensorFlow.js namespace with one backend active; throws when unavailable. */
export type BackendLoader = () => Promise<Tf>;

export interface SelectedBackend {
  readonly tf: Tf;
  readonly name: BackendName;
  /** One line per faster backend that was skipped, and why. */
  readonly skipped: readonly string[];
}

export const backendOrder: readonly BackendName[] = ['gpu', 'node', 'wasm', 'cpu'];

/**
 * Tries backends in the order gpu -> node -> wasm -> cpu, starting at the preferred one (`auto`
 * starts at gpu), and returns the first that loads. A preference is a starting point, not a demand:
 * a run asked for `node` on a machine without libtensorflow still runs, on wasm, and says why.
 */
export async function selectBackend(
  preference: BackendPreference,
  loaders: Readonly<Record<BackendName, BackendLoader>>,
): Promise<SelectedBackend> {
  const start = preference === 'auto' ? 0 : backendOrder.indexOf(preference);
  const skipped: string[] = [];
  for (const name of backendOrder.slice(start)) {
    try {
      const tf = await loaders[name]();
      return { tf, name, skipped };
    } catch (error) {
      skipped.push(`${name}: ${firstLine(error)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could be loaded (${skipped.join('; ')}).`);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
