import { strict as assert } from 'node:assert';
import { tf } from '../../../server/ml/tf.js';
import { compareBackendsSuite, onBackend, relativeError, type TestBackend } from './compare.js';
import { discriminatorLoss, disposeGan, generatorLoss, loopGan, noteGan, type Loss, type TinyGan, trainStep } from './tiny-gans.js';

const TOLERANCE = 1e-4;
const NETS: [string, () => TinyGan][] = [
  ['pitch-conditioned 2-D conv GAN', noteGan],
  ['3-D conv piano-roll GAN', loopGan],
];
const LOSSES: Loss[] = ['ns', 'wgangp'];

/** Both losses and every parameter gradient of one D step and one G step, computed on `backend`. */
function lossesAndGradients(backend: TestBackend, make: () => TinyGan, loss: Loss): Float32Array[] {
  return onBackend(backend, () => {
    const gan = make();
    try {
      return tf.tidy(() => {
        const inputs = gan.batch();
        const d = tf.variableGrads(() => discriminatorLoss(gan, loss, inputs) as tf.Scalar, gan.discriminatorVars);
        const g = tf.variableGrads(() => generatorLoss(gan, loss, inputs) as tf.Scalar, gan.generatorVars);
        return [
          Float32Array.of(d.value.dataSync()[0]!, g.value.dataSync()[0]!),
          ...gan.discriminatorVars.map((v) => d.grads[v.name]!.dataSync() as Float32Array),
          ...gan.generatorVars.map((v) => g.grads[v.name]!.dataSync() as Float32Array),
        ];
      });
    } finally {
      disposeGan(gan);
    }
  });
}

describe('a whole GAN training step on wasm equals cpu', function () {
  const log = compareBackendsSuite();

  for (const [name, make] of NETS) {
    for (const loss of LOSSES) {
      it(`${name}, ${loss === 'ns' ? 'non-saturating' : 'WGAN-GP'}: same losses and gradients`, () => {
        const cpu = lossesAndGradients('cpu', make, loss);
        const wasm = lossesAndGradients('wasm', make, loss);
        assert.ok(cpu[0]!.every(Number.isFinite), `losses ${cpu[0]}`);
        const lossError = relativeError(wasm[0]!, cpu[0]!);
        const gradientError = Math.max(...cpu.slice(1).map((g, i) => relativeError(wasm[i + 1]!, g)));
        assert.ok(cpu.slice(1).every((g) => g.some((v) => v !== 0)), 'every parameter gets a gradient');
        log.add(`${loss} loss`, lossError);
        log.add(`${loss} gradients`, gradientError);
        assert.ok(lossError < TOLERANCE, `losses ${wasm[0]} vs ${cpu[0]}`);
        assert.ok(gradientError < TOLERANCE, `gradients off by ${gradientError}`);
      });
    }
  }

  it('Adam steps (D then G, WGAN-GP) on wasm leak no tensors and no wasm buffers', () => {
    onBackend('wasm', () => {
      const wasm = tf.findBackend('wasm') as unknown as { numDataIds(): number };
      for (const [, make] of NETS) {
        const gan = make();
        const optimizers = { d: tf.train.adam(2e-4, 0.5, 0.999), g: tf.train.adam(2e-4, 0.5, 0.999) };
        trainStep(gan, 'wgangp', optimizers); // creates Adam's moment variables
        const before = { tensors: tf.memory().numTensors, buffers: wasm.numDataIds() };
        const losses = trainStep(gan, 'wgangp', optimizers);
        assert.deepEqual({ tensors: tf.memory().numTensors, buffers: wasm.numDataIds() }, before);
        assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
        optimizers.d.dispose();
        optimizers.g.dispose();
        disposeGan(gan);
      }
    });
  });
});
