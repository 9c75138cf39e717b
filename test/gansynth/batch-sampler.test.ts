import { strict as assert } from 'node:assert';
import { BatchSampler } from '../../server/gansynth/batch-sampler.js';

describe('gansynth BatchSampler', () => {
  it('visits every example once per epoch', () => {
    const sampler = new BatchSampler(10, 3);
    const seen = [...sampler.next(4), ...sampler.next(4), ...sampler.next(2)];
    assert.deepEqual([...seen].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const nextEpoch = [...sampler.next(5), ...sampler.next(5)];
    assert.deepEqual([...nextEpoch].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.notDeepEqual(nextEpoch, seen, 'each epoch is reshuffled');
  });

  it('resumes the same order from its saved state, also across epoch boundaries', () => {
    const straight = new BatchSampler(7, 11);
    straight.next(5);
    const state = JSON.parse(JSON.stringify(straight.getState()));
    const expected = [straight.next(5), straight.next(5), straight.next(5)];
    const resumed = new BatchSampler(7, 11, state);
    assert.deepEqual([resumed.next(5), resumed.next(5), resumed.next(5)], expected);
  });
});
