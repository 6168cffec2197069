import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFolderName } from '../../../src/protocol/runFolder';
import { formatDuration, statusText } from '../../../src/extension/runs/statusText';

describe('run folder names', () => {
  it('start with a sortable local timestamp and keep the stream name safe', () => {
    const when = new Date(2026, 10, 23, 9, 5, 7);
    assert.equal(runFolderName(when, 'mtl5_offline'), '20261123-090507-mtl5_offline');
    assert.equal(runFolderName(when, 'a b/c:d'), '20261123-090507-a-b-c-d');
    assert.equal(runFolderName(when, '///'), '20261123-090507-stream');
  });
});

describe('status bar text', () => {
  it('shows task k/n, phase with epoch, and ETA', () => {
    const text = statusText({
      runDir: '/r',
      stream: 'mtl5',
      task: 'spam',
      taskIndex: 1,
      taskCount: 5,
      phase: 'adapter',
      epoch: 2,
      epochs: 3,
      etaSeconds: 80,
      unitsDone: 4,
      totalUnits: 20,
    });
    assert.equal(text, 'L2R spam 2/5 · adapter 2/3 · ETA 1m 20s');
  });

  it('falls back to the stream name before the first event', () => {
    assert.equal(statusText({ runDir: '/r', stream: 'mtl5', unitsDone: 0, totalUnits: 0 }), 'L2R mtl5');
  });

  it('formats durations in s, m s, h m', () => {
    assert.equal(formatDuration(5.4), '5s');
    assert.equal(formatDuration(125), '2m 5s');
    assert.equal(formatDuration(3 * 3600 + 120), '3h 2m');
    assert.equal(formatDuration(-3), '0s');
  });
});
