import assert from 'node:assert/strict';
import { tf } from '../../server/ml/tf.js';
import { Rng, deriveSeed } from '../../server/ml/random.js';
import { latentNormal, randomLabels } from '../../server/ml/random-tensors.js';
import { initBackend } from '../../server/ml/backend.js';
import { assertNoLeaks } from './layers/helpers.js';

describe('ml/random', () => {
  before(async () => {
    await initBackend();
  });

  it('repeats its sequence for the same seed and differs for another', () => {
    const a = new Rng(42).normalArray(100);
    const b = new Rng(42).normalArray(100);
    const c = new Rng(43).normalArray(100);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('draws normals with mean 0 and variance 1, uniforms in [0, 1)', () => {
    const rng = new Rng(7);
    const n = 200_000;
    const z = rng.normalArray(n);
    const mean = z.reduce((s, v) => s + v, 0) / n;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.02, `variance ${variance}`);
    const u = rng.uniformArray(n);
    assert.ok(u.every((v) => v >= 0 && v < 1));
    const ints = rng.intArray(1000, 61);
    assert.ok(ints.every((v) => v >= 0 && v < 61));
    assert.equal(new Set(ints).size, 61);
  });

  it('continues identically from a saved state (what a resumed training run relies on)', () => {
    const rng = new Rng('resume');
    rng.normalArray(10);
    const state = rng.getState();
    const expected = rng.normalArray(33);
    const restored = Rng.fromState(JSON.parse(JSON.stringify(state)));
    assert.deepEqual(restored.normalArray(33), expected);
  });

  it('takes string seeds, spreads nearby seeds apart and shuffles into permutations', () => {
    assert.deepEqual(new Rng('latent:3').normalArray(16), new Rng('latent:3').normalArray(16));
    assert.notDeepEqual(new Rng('latent:3').normalArray(16), new Rng('latent:4').normalArray(16));
    assert.notDeepEqual(new Rng(8).normalArray(16), new Rng(9).normalArray(16));
    const order = new Rng(2).permutation(50);
    assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.notDeepEqual(order, Array.from({ length: 50 }, (_, i) => i));
    const counts = new Array(5).fill(0);
    const rng = new Rng(1);
    for (let i = 0; i < 5000; i++) counts[rng.int(5)]++;
    for (const c of counts) assert.ok(c > 850 && c < 1150, `counts ${counts}`);
  });

  it('derives distinct seeds per label', () => {
    assert.equal(deriveSeed(1, 'g/fc/kernel'), deriveSeed(1, 'g/fc/kernel'));
    assert.notEqual(deriveSeed(1, 'g/fc/kernel'), deriveSeed(1, 'g/fc/bias'));
    assert.notEqual(deriveSeed(1, 'g/fc/kernel'), deriveSeed(2, 'g/fc/kernel'));
  });

  it('builds latent and label tensors from the rng state', async () => {
    await assertNoLeaks(() => {
      const z = latentNormal(new Rng(5), 3, 4);
      const labels = randomLabels(new Rng(5), 3, 10);
      assert.deepEqual(z.shape, [3, 4]);
      assert.deepEqual(Array.from(z.dataSync()), Array.from(new Rng(5).normalArray(12)));
      assert.equal(labels.dtype, 'int32');
      tf.dispose([z, labels]);
    });
  });
});
