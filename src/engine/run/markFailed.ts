import { join } from 'node:path';
import type { RunMeta } from '../../protocol/runFolder';
import { RUN_FILES } from '../../protocol/runFolder';
import { appendJsonLine, readJsonIfExists, writeJsonAtomic } from './files';

/** Records in the run folder that the run failed, and why, keeping everything already written. */
export async function markFailed(runDir: string, message: string, detail?: string): Promise<void> {
  const meta = await readJsonIfExists<RunMeta>(join(runDir, RUN_FILES.meta)).catch(() => undefined);
  if (meta !== undefined) {
    await writeJsonAtomic(join(runDir, RUN_FILES.meta), {
      ...meta,
      status: 'failed',
      pid: undefined,
      message,
      updatedAt: new Date().toISOString(),
    } satisfies RunMeta);
  }
  await appendJsonLine(join(runDir, RUN_FILES.events), {
    type: 'run-failed',
    time: Date.now(),
    message,
    detail,
  }).catch(() => undefined);
}
