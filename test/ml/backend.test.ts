import { strict as assert } from 'node:assert';
import { tf } from '../../server/ml/tf.js';
import { initBackend } from '../../server/ml/backend.js';

describe('ml backend choice', () => {
  it('initBackend switches back to the chosen backend when something else moved tf off it', async () => {
    const info = await initBackend();
    assert.equal(tf.getBackend(), info.name);
    const other = info.name === 'cpu' ? 'wasm' : 'cpu';
    await tf.setBackend(other);
    assert.equal(tf.getBackend(), other);
    const again = await initBackend();
    assert.equal(again, info, 'the same choice, not a new probe');
    assert.equal(tf.getBackend(), info.name, `back on ${info.name}`);
  });
});
