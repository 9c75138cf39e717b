import assert from 'node:assert/strict';
import { tf } from '../../server/ml/tf.js';
import { ParamStore } from '../../server/ml/params.js';
import { Adam } from '../../server/ml/optim.js';
import { StudioError } from '../../server/util/errors.js';
import { assertNoLeaks, switchBackend } from './layers/helpers.js';

/** A small quadratic problem: loss = Σ (x·W - y)². */
function trainStep(store: ParamStore, adam: Adam, x: tf.Tensor2D, y: tf.Tensor2D): number {
  const { loss, grads } = store.gradients(
    () => tf.sum(tf.square(tf.sub(tf.matMul(x, store.get('w', { shape: [3, 2], init: 'he' })), y))) as tf.Scalar,
  );
  adam.apply(store, grads);
  const value = loss.dataSync()[0]!;
  tf.dispose([loss, ...Object.values(grads)]);
  return value;
}

describe('ml/optim Adam', () => {
  let restore: () => Promise<void>;
  before(async () => (restore = await switchBackend('cpu')));
  after(async () => restore());

  it('takes the bias-corrected Adam step', async () => {
    await assertNoLeaks(() => {
      const store = new ParamStore();
      const w = store.get('w', { shape: [2], init: 'ones' });
      const adam = new Adam({ learningRate: 0.1, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 });
      const g = [0.5, -2];
      const grads = { w: tf.tensor1d(g) };
      let m = [0, 0];
      let v = [0, 0];
      let expected = [1, 1];
      for (let t = 1; t <= 3; t++) {
        adam.apply(store, grads);
        m = m.map((mi, i) => 0.5 * mi + 0.5 * g[i]!);
        v = v.map((vi, i) => 0.999 * vi + 0.001 * g[i]! ** 2);
        expected = expected.map((p, i) => p - (0.1 * (m[i]! / (1 - 0.5 ** t))) / (Math.sqrt(v[i]! / (1 - 0.999 ** t)) + 1e-8));
      }
      const got = Array.from(w.dataSync());
      expected.forEach((e, i) => assert.ok(Math.abs(got[i]! - e) < 1e-6, `param ${i}: ${got[i]} vs ${e}`));
      assert.equal(adam.step, 3);
      tf.dispose(grads.w);
      adam.dispose();
      store.dispose();
    });
  });

  it('exports and restores its full state so the next steps are identical', async () => {
    await assertNoLeaks(() => {
      const x = tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]]);
      const y = tf.tensor2d([[1, 0], [0, 1]]);
      const original = new ParamStore({ seed: 5 });
      const adam = new Adam({ learningRate: 0.05 });
      for (let i = 0; i < 4; i++) trainStep(original, adam, x, y);

      const params = original.snapshot();
      const state = adam.exportState();
      const resumed = new ParamStore({ seed: 99 });
      resumed.load(params);
      const adam2 = new Adam({ learningRate: 0.05 });
      adam2.importState(resumed, state);
      tf.dispose([...Object.values(params), ...Object.values(state)]);
      assert.equal(adam2.step, 4);

      for (let i = 0; i < 3; i++) {
        assert.equal(trainStep(resumed, adam2, x, y), trainStep(original, adam, x, y));
      }
      assert.deepEqual(resumed.variable('w').dataSync(), original.variable('w').dataSync());

      // A fresh optimizer (moments lost) takes a different step: the round trip above is not vacuous.
      const forgetful = new Adam({ learningRate: 0.05 });
      const lost = new ParamStore();
      tf.tidy(() => lost.load(original.snapshot()));
      trainStep(lost, forgetful, x, y);
      trainStep(original, adam, x, y);
      assert.notDeepEqual(lost.variable('w').dataSync(), original.variable('w').dataSync());

      for (const o of [adam, adam2, forgetful]) o.dispose();
      for (const s of [original, resumed, lost]) s.dispose();
      tf.dispose([x, y]);
    });
  });

  it('rejects state that does not fit the parameters', async () => {
    await assertNoLeaks(() => {
      const store = new ParamStore();
      store.get('w', { shape: [2], init: 'ones' });
      const adam = new Adam();
      const wrongShape = { step: tf.scalar(1, 'int32'), 'm/w': tf.zeros([3]), 'v/w': tf.zeros([3]) };
      assert.throws(() => adam.importState(store, wrongShape), (e: unknown) => e instanceof StudioError && /m\/w.*\[3\].*\[2\]/.test(e.message));
      const missing = { step: tf.scalar(1, 'int32'), 'm/w': tf.zeros([2]) };
      assert.throws(() => adam.importState(store, missing), /lacks its v moment/);
      const unknown = { step: tf.scalar(1, 'int32'), 'm/nope': tf.zeros([2]), 'v/nope': tf.zeros([2]) };
      assert.throws(() => adam.importState(store, unknown), /no parameter named "nope"/);
      assert.equal(adam.step, 0);
      tf.dispose([...Object.values(wrongShape), ...Object.values(missing), ...Object.values(unknown)]);
      store.dispose();
    });
  });
});
