import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AggregateRow } from '../../../src/protocol/runFolder';
import { rehearsalFreeVerdict } from '../../../src/protocol/verdict';

const row = (method: string, setting: 'cil' | 'til', mean: number, std: number, n = 6): AggregateRow => ({
  method,
  setting,
  n,
  accuracyMean: mean,
  accuracyStd: std,
  macroF1Mean: 0,
  macroF1Std: 0,
});

describe('the best rehearsal-free baseline beside L2R', () => {
  it('picks the rehearsal-free method with the best CIL, never upper, mocl or dam', () => {
    const v = rehearsalFreeVerdict([
      row('upper', 'cil', 80, 1),
      row('mocl', 'cil', 70, 1),
      row('epi', 'cil', 60, 1),
      row('lda', 'cil', 65, 1),
      row('klda', 'cil', 66, 2),
      row('klda', 'til', 71, 2),
      row('ncm', 'cil', 55, 1),
      row('l2r-wavg', 'cil', 62, 0.5),
    ]);
    assert.equal(v?.best.method, 'klda');
    assert.equal(v?.best.til?.accuracyMean, 71);
    assert.equal(v?.margin, -4);
    assert.equal(v?.clear, true, '4 points is more than the larger std (2)');
    assert.match(
      v?.line ?? '',
      /^Best rehearsal-free baseline: klda, CIL 66\.0 ± 2\.0 against L2R-wavg 62\.0 ± 0\.5 \(−4\.0 points\): L2R-wavg is behind by more than one/,
    );
  });

  it('says when L2R is ahead only within the spread', () => {
    const v = rehearsalFreeVerdict([row('lda', 'cil', 64, 1.5), row('l2r-wavg', 'cil', 65, 0.8)]);
    assert.equal(v?.clear, false);
    assert.match(v?.line ?? '', /\(\+1\.0 points\): L2R-wavg is ahead, within one standard deviation\.$/);
  });

  it('ignores the memory sweep and needs more than one run to call a difference clear', () => {
    const sweep = { ...row('l2r-wavg', 'cil', 99, 0), memory: '10%' };
    const v = rehearsalFreeVerdict([row('ncm', 'cil', 50, 0, 1), sweep, row('l2r-wavg', 'cil', 60, 0, 1)]);
    assert.equal(v?.margin, 10);
    assert.equal(v?.clear, false);
    assert.match(
      v?.line ?? '',
      /\(\+10\.0 points\): L2R-wavg is ahead \(one run: no spread to judge the margin by\)\.$/,
    );
  });

  it('is absent without a rehearsal-free baseline, and names the baseline alone without L2R', () => {
    assert.equal(
      rehearsalFreeVerdict([row('l2r-wavg', 'cil', 60, 1), row('upper', 'cil', 70, 1)]),
      undefined,
    );
    assert.equal(
      rehearsalFreeVerdict([row('epi', 'cil', 40, 1)])?.line,
      'Best rehearsal-free baseline: epi, CIL 40.0 ± 1.0.',
    );
  });
});
