import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHostToWorkerMessage, isWorkerToHostMessage } from '../../../src/protocol/worker';

describe('worker protocol guards', () => {
  it('accepts every worker-to-host kind and rejects others', () => {
    for (const kind of ['ready', 'backend', 'event', 'completed', 'failed', 'cancelled']) {
      assert.equal(isWorkerToHostMessage({ kind }), true, kind);
    }
    assert.equal(isWorkerToHostMessage({ kind: 'start' }), false);
    assert.equal(isWorkerToHostMessage(null), false);
    assert.equal(isWorkerToHostMessage('ready'), false);
  });

  it('accepts start and cancel from the host only', () => {
    assert.equal(isHostToWorkerMessage({ kind: 'start' }), true);
    assert.equal(isHostToWorkerMessage({ kind: 'cancel' }), true);
    assert.equal(isHostToWorkerMessage({ kind: 'ready' }), false);
    assert.equal(isHostToWorkerMessage(undefined), false);
  });
});
