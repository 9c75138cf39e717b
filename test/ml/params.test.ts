import assert from 'node:assert/strict';
import { tf } from '../../server/ml/tf.js';
import { ParamStore } from '../../server/ml/params.js';
import { StudioError } from '../../server/util/errors.js';
import { assertNoLeaks, switchBackend } from './layers/helpers.js';

describe('ml/params ParamStore', () => {
  let restore: () => Promise<void>;
  before(async () => (restore = await switchBackend('cpu')));
  after(async () => restore());

  it('creates each parameter once, deterministically from the seed and name, whatever the order', async () => {
    await assertNoLeaks(() => {
      const a = new ParamStore({ seed: 3 });
      const b = new ParamStore({ seed: 3 });
      const c = new ParamStore({ seed: 4 });
      const ak = a.get('l/kernel', { shape: [5, 7], init: 'he' });
      b.get('other', { shape: [2], init: 'glorot' });
      const bk = b.get('l/kernel', { shape: [5, 7], init: 'he' });
      const ck = c.get('l/kernel', { shape: [5, 7], init: 'he' });
      assert.equal(a.get('l/kernel', { shape: [5, 7], init: 'he' }), ak);
      assert.deepEqual(ak.dataSync(), bk.dataSync());
      assert.notDeepEqual(ak.dataSync(), ck.dataSync());
      for (const s of [a, b, c]) s.dispose();
    });
  });

  it('scales He and Glorot initial values by the fans', () => {
    const p = new ParamStore({ seed: 1 });
    const he = Array.from(p.get('he', { shape: [3, 3, 64, 32], init: 'he' }).dataSync());
    const std = Math.sqrt(he.reduce((s, v) => s + v * v, 0) / he.length);
    assert.ok(Math.abs(std - Math.sqrt(2 / (9 * 64))) / Math.sqrt(2 / (9 * 64)) < 0.05, `he std ${std}`);
    const limit = Math.sqrt(6 / (100 + 50));
    const gl = Array.from(p.get('glorot', { shape: [100, 50], init: 'glorot' }).dataSync());
    assert.ok(gl.every((v) => Math.abs(v) <= limit));
    assert.ok(Math.max(...gl) > 0.9 * limit);
    assert.ok(p.get('z', { shape: [4], init: 'zeros' }).dataSync().every((v) => v === 0));
    assert.ok(p.get('o', { shape: [4], init: 'ones' }).dataSync().every((v) => v === 1));
    p.dispose();
  });

  it('counts parameters and filters by prefix', () => {
    const p = new ParamStore();
    p.get('g/a', { shape: [2, 3], init: 'he' });
    p.get('g/b', { shape: [3], init: 'zeros' });
    p.get('d/a', { shape: [10], init: 'zeros' });
    assert.equal(p.count(), 19);
    assert.equal(p.count('g/'), 9);
    assert.deepEqual(p.names('d/'), ['d/a']);
    assert.equal(p.variables('g/').length, 2);
    p.dispose();
  });

  it('rejects a second request with another shape, naming the parameter', () => {
    const p = new ParamStore();
    p.get('x/kernel', { shape: [2, 2], init: 'he' });
    assert.throws(() => p.get('x/kernel', { shape: [2, 3], init: 'he' }), (e: unknown) => e instanceof StudioError && /x\/kernel.*\[2,2\].*\[2,3\]/.test(e.message));
    p.dispose();
  });

  it('snapshots copies and loads them back, shape-checked', async () => {
    await assertNoLeaks(() => {
      const p = new ParamStore({ seed: 9 });
      const v = p.get('w', { shape: [4], init: 'he' });
      const before = Array.from(v.dataSync());
      const snap = p.snapshot();
      tf.tidy(() => v.assign(tf.zeros([4])));
      assert.deepEqual(Array.from(snap.w!.dataSync()), before, 'snapshot must not follow later changes');
      p.load(snap);
      assert.deepEqual(Array.from(v.dataSync()), before);

      const fresh = new ParamStore({ seed: 1 });
      fresh.load(snap);
      assert.deepEqual(Array.from(fresh.get('w', { shape: [4], init: 'zeros' }).dataSync()), before);

      const bad = { w: tf.zeros([5]) };
      assert.throws(() => p.load(bad), (e: unknown) => e instanceof StudioError && /"w".*\[4\].*\[5\]/.test(e.message));
      tf.dispose([bad.w, ...Object.values(snap)]);
      p.dispose();
      fresh.dispose();
    });
  });

  it('returns gradients keyed by parameter name, building the model on first use', async () => {
    const p = new ParamStore({ seed: 2 });
    await assertNoLeaks(() => {
      const x = tf.tensor2d([[1, 2]]);
      const loss = () => tf.sum(tf.matMul(x, p.get('g/w', { shape: [2, 1], init: 'ones' }))) as tf.Scalar;
      const { loss: value, grads } = p.gradients(loss, 'g/');
      assert.deepEqual(Object.keys(grads), ['g/w']);
      assert.equal(value.dataSync()[0], 3);
      assert.deepEqual(Array.from(grads['g/w']!.dataSync()), [1, 2]);
      tf.dispose([value, x, ...Object.values(grads)]);
      // Variables live in the store, so count them as pre-existing for the leak check.
      p.dispose();
    }).catch((e) => {
      p.dispose();
      throw e;
    });
  });
});
