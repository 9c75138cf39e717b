import assert from 'node:assert/strict';
import { measure, median } from '../../bench/nets/measure.js';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('bench/nets measure', () => {
  it('takes the median of the timed steps after the warm-ups', async () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    let calls = 0;
    const t = await measure(() => void calls++, { warmup: 2, iters: 5, capSeconds: 60 });
    assert.equal(calls, 7);
    assert.deepEqual([t.warmup, t.n, t.capped], [2, 5, false]);
    assert.ok(t.medianMs !== null && t.cpuMedianMs !== null);
  });

  it('stops at the cap, cutting warm-ups but always timing one step', async () => {
    const t = await measure(() => busy(30), { warmup: 3, iters: 10, capSeconds: 0.04 });
    assert.equal(t.warmup, 1, 'the first warm-up always runs, the others are cut');
    assert.ok(t.n >= 1 && t.n < 10, `timed ${t.n}`);
    assert.equal(t.capped, true);
    assert.ok(t.medianMs! >= 30);
  });
});
