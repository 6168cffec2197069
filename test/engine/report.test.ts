import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { reportCommand } from '../../src/cli/report';
import { aggregateRows } from '../../src/engine/run/results';
import type { MetricsFile, ResultRow, RoutingFile } from '../../src/protocol/runFolder';
import { tempDir } from './helpers';

describe('l2r report', () => {
  it('writes a Markdown table with mean ± std, forgetting and the routing confusion, and a CSV', async () => {
    const dir = tempDir('l2r-report-');
    const row = (
      seed: number,
      method: string,
      setting: 'cil' | 'til',
      accuracy: number,
      extra: Partial<ResultRow> = {},
    ): ResultRow => ({
      seed,
      order: 'main',
      method,
      setting,
      accuracy,
      macroF1: accuracy,
      perTask: {},
      ...extra,
    });
    const rows = [
      row(1, 'l2r-wavg', 'cil', 40),
      row(2, 'l2r-wavg', 'cil', 50),
      row(1, 'l2r-wavg', 'til', 60),
      row(2, 'l2r-wavg', 'til', 60),
      row(1, 'lower', 'cil', 20, { forgetting: 30, bwt: -30 }),
      row(2, 'lower', 'cil', 22, { forgetting: 28, bwt: -28 }),
      row(1, 'lda', 'cil', 50),
      row(2, 'lda', 'cil', 52),
      row(1, 'ncm', 'cil', 30),
      row(2, 'ncm', 'cil', 31),
    ];
    const metrics: MetricsFile = {
      runId: 'r1',
      stream: 's',
      backend: 'wasm',
      seconds: 12,
      rows,
      aggregate: aggregateRows(rows),
      matrices: [],
    };
    const routing: RoutingFile = {
      tables: [
        {
          seed: 1,
          order: 'main',
          method: 'l2r-wavg',
          adapters: ['a', 'b'],
          layers: 1,
          meanScores: [],
          confusion: [
            [
              [3, 1],
              [0, 4],
            ],
          ],
          meanActive: [1],
          examples: [],
        },
      ],
    };
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify(metrics));
    writeFileSync(join(dir, 'routing.json'), JSON.stringify(routing));
    const out = join(dir, 'report.md');
    assert.equal(await reportCommand([dir, '--out', out]), 0);
    const md = readFileSync(out, 'utf8');
    assert.match(md, /\| l2r-wavg +\| +45\.0 ± 7\.1 \| +60\.0 ± 0\.0 \|/);
    assert.match(md, /\| lower +\| +21\.0 ± 1\.4 \| +- \| +29\.0 \| +-29\.0 \|/);
    assert.match(md, /\| a +\| +75 \| +25 \|/);
    assert.match(
      md,
      /^Best rehearsal-free baseline: lda, CIL 51\.0 ± 1\.4 against L2R-wavg 45\.0 ± 7\.1 \(−6\.0 points\): L2R-wavg is behind, within one standard deviation\.$/m,
    );
    const csv = readFileSync(join(dir, 'report.csv'), 'utf8');
    assert.match(csv, /^r1,l2r-wavg,cil,,2,45\.00,7\.07,45\.00,,$/m);
  });

  it('says which run is not finished', async () => {
    assert.equal(await reportCommand([tempDir('l2r-report-empty-')]), 1);
  });
});
