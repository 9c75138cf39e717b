import { strict as assert } from 'node:assert';
import { SeededRandom } from '../../server/gansynth/random.js';
import { BatchSampler } from '../../server/gansynth/batch-sampler.js';

describe('gansynth SeededRandom', () => {
  it('gives the same stream for the same seed and different streams for nearby seeds', () => {
    const a = new SeededRandom(7).normalArray(64);
    const b = new SeededRandom(7).normalArray(64);
    const c = new SeededRandom(8).normalArray(64);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('continues identically from a saved state', () => {
    const rng = new SeededRandom('resume');
    rng.normalArray(10);
    const state = rng.getState();
    const expected = rng.normalArray(33);
    const restored = SeededRandom.fromState(JSON.parse(JSON.stringify(state)));
    assert.deepEqual(restored.normalArray(33), expected);
  });

  it('draws standard normals and uniform integers with the right statistics', () => {
    const rng = new SeededRandom(1);
    const xs = rng.normalArray(40000);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[rng.int(5)]++;
    for (const c of counts) assert.ok(c > 850 && c < 1150, `counts ${counts}`);
  });
});

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
