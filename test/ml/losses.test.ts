import assert from 'node:assert/strict';
import { tf } from '../../server/ml/tf.js';
import { ParamStore } from '../../server/ml/params.js';
import { avgPool2x, conv2d, dense, leakyRelu } from '../../server/ml/layers/index.js';
import {
  gradientPenalty,
  nonSaturatingDLoss,
  nonSaturatingGLoss,
  softmaxCrossEntropy,
  wassersteinDLoss,
  wassersteinGLoss,
} from '../../server/ml/losses.js';
import { assertNoLeaks, switchBackend } from './layers/helpers.js';

const softplus = (v: number) => Math.log1p(Math.exp(v));
const scalar = (t: tf.Tensor) => t.dataSync()[0]!;
const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('ml/losses', () => {
  let restore: () => Promise<void>;
  before(async () => (restore = await switchBackend('cpu')));
  after(async () => restore());

  it('computes the non-saturating and Wasserstein losses', async () => {
    await assertNoLeaks(() =>
      tf.tidy(() => {
        const real = tf.tensor2d([[1], [-2]]);
        const fake = tf.tensor2d([[0.5], [3]]);
        close(scalar(nonSaturatingDLoss(real, fake)), (softplus(-1) + softplus(2)) / 2 + (softplus(0.5) + softplus(3)) / 2);
        close(scalar(nonSaturatingGLoss(fake)), (softplus(-0.5) + softplus(-3)) / 2);
        close(scalar(wassersteinDLoss(real, fake)), 1.75 - -0.5);
        close(scalar(wassersteinGLoss(fake)), -1.75);
      }),
    );
  });

  it('computes softmax cross-entropy from labels or one-hot targets', async () => {
    await assertNoLeaks(() =>
      tf.tidy(() => {
        const logits = tf.tensor2d([[2, 0, -1], [0.5, 0.5, 3]]);
        const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
        const expected = (lse([2, 0, -1]) - 2 + (lse([0.5, 0.5, 3]) - 0.5)) / 2;
        close(scalar(softmaxCrossEntropy(logits, tf.tensor1d([0, 1], 'int32'))), expected);
        close(scalar(softmaxCrossEntropy(logits, tf.tensor2d([[1, 0, 0], [0, 1, 0]]))), expected);
      }),
    );
  });

  it('gives weight·(‖w‖-1)² for a linear critic', async () => {
    await assertNoLeaks(() =>
      tf.tidy(() => {
        const w = tf.tensor2d([[0.6], [0.8], [1.2]]); // ‖w‖ = √2.44
        // softplus, not tanh: tfjs 4.22 loses second-order terms through ops whose gradient reuses their output
    // (Tanh, Sigmoid, Exp, Softmax, …; see gradientPenalty's note).
    const critic = (x: tf.Tensor) => tf.matMul(x as tf.Tensor2D, w);
        const real = tf.tensor2d([[1, 2, 3], [0, 1, 0]]);
        const fake = tf.tensor2d([[-1, 0, 2], [3, 3, 3]]);
        const penalty = gradientPenalty(critic, real, fake, { weight: 10, alphas: new Float32Array([0.3, 0.9]) });
        close(scalar(penalty), 10 * (Math.sqrt(2.44) - 1) ** 2);
      }),
    );
  });

  it('differentiates the penalty w.r.t. the critic weights like a numerical estimate (second order)', async () => {
    const store = new ParamStore({ seed: 11 });
    const real = tf.tensor2d([[0.2, -0.4, 0.9], [1, 0.3, -0.5]]);
    const fake = tf.tensor2d([[-0.7, 0.1, 0.4], [0.6, -0.9, 0.2]]);
    const alphas = new Float32Array([0.25, 0.6]);
    // softplus, not tanh: tfjs 4.22 loses second-order terms through ops whose gradient reuses their output
    // (Tanh, Sigmoid, Exp, Softmax, …; see gradientPenalty's note).
    const critic = (x: tf.Tensor) =>
      tf.matMul(tf.softplus(tf.matMul(x as tf.Tensor2D, store.get('c/w1', { shape: [3, 4], init: 'glorot' }))), store.get('c/w2', { shape: [4, 1], init: 'glorot' }));
    const penalty = () => gradientPenalty(critic, real, fake, { weight: 10, alphas });

    tf.tidy(() => critic(real)); // builds the parameters, which outlive the leak check
    await assertNoLeaks(() => {
      const { loss, grads } = store.gradients(penalty);
      const value = scalar(loss);
      assert.ok(Number.isFinite(value) && value > 0, `penalty ${value}`);
      const w1 = store.variable('c/w1');
      const analytic = grads['c/w1']!.dataSync();
      const base = w1.dataSync().slice();
      const h = 1e-2;
      for (let i = 0; i < base.length; i++) {
        const at = (delta: number) => {
          const shifted = base.slice();
          shifted[i]! += delta;
          tf.tidy(() => w1.assign(tf.tensor(shifted, w1.shape)));
          return tf.tidy(() => scalar(penalty()));
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        assert.ok(Math.abs(numeric - analytic[i]!) <= 2e-2 * Math.max(0.1, Math.abs(numeric)), `w1[${i}]: autodiff ${analytic[i]} vs numeric ${numeric}`);
      }
      tf.tidy(() => w1.assign(tf.tensor(base, w1.shape)));
      tf.dispose([loss, ...Object.values(grads)]);
    });
    tf.dispose([real, fake]);
    store.dispose();
  });

  it('differentiates the penalty of a conv / leaky ReLU / avg-pool critic like a numerical estimate', async () => {
    const store = new ParamStore({ seed: 12 });
    const shape = [2, 4, 4, 2];
    const real = tf.tensor4d(Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.3)), shape as [number, number, number, number]);
    const fake = tf.tensor4d(Array.from({ length: 64 }, (_, i) => Math.cos(i * 0.7)), shape as [number, number, number, number]);
    const critic = (x: tf.Tensor) => {
      const h = avgPool2x(leakyRelu(conv2d(store, 'c/conv', x as tf.Tensor4D, { filters: 3, kernelSize: 3 })));
      return dense(store, 'c/out', tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D, { units: 1 });
    };
    const penalty = () => gradientPenalty(critic, real, fake, { weight: 10, alphas: new Float32Array([0.3, 0.8]) });
    tf.tidy(() => critic(real));
    await assertNoLeaks(() => {
      const { loss, grads } = store.gradients(penalty);
      assert.ok(scalar(loss) > 0);
      const kernel = store.variable('c/conv/kernel');
      const analytic = grads['c/conv/kernel']!.dataSync();
      const base = kernel.dataSync().slice();
      const h = 1e-3;
      let checked = 0;
      for (let i = 0; i < base.length; i += 5) {
        const at = (delta: number) => {
          const shifted = base.slice();
          shifted[i]! += delta;
          tf.tidy(() => kernel.assign(tf.tensor(shifted, kernel.shape)));
          return tf.tidy(() => scalar(penalty()));
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        assert.ok(Math.abs(numeric - analytic[i]!) <= 3e-2 * Math.max(0.5, Math.abs(numeric)), `kernel[${i}]: autodiff ${analytic[i]} vs numeric ${numeric}`);
        checked++;
      }
      assert.ok(checked >= 10);
      tf.tidy(() => kernel.assign(tf.tensor(base, kernel.shape)));
      tf.dispose([loss, ...Object.values(grads)]);
    });
    tf.dispose([real, fake]);
    store.dispose();
  });
});
