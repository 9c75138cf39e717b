import assert from 'node:assert/strict';
import { tf } from '../../server/ml/tf.js';
import { ParamStore } from '../../server/ml/params.js';
import { Rng } from '../../server/ml/random.js';
import { latentNormal, randomLabels } from '../../server/ml/random-tensors.js';
import { REFERENCE_GANS } from '../../bench/nets/index.js';
import { assertNoLeaks, switchBackend } from './layers/helpers.js';

// Parameter counts of torch_reference.py's networks (shared/bench/README.md).
const EXPECTED = {
  note: { g: 1_023_882, d: 499_782, sample: [64, 512, 2], classes: 61 },
  loop: { g: 1_339_301, d: 651_297, sample: [4, 48, 84, 5], classes: 0 },
};

describe('bench/nets: the reference GANs mirror the PyTorch ones', () => {
  let restore: () => Promise<void>;
  // wasm: a forward pass of the full-size nets is ~20x faster there than on cpu.
  before(async () => (restore = await switchBackend('wasm')));
  after(async () => restore());

  for (const name of ['note', 'loop'] as const) {
    it(`${name}: same parameter counts and shapes`, async () => {
      const net = REFERENCE_GANS[name];
      const expected = EXPECTED[name];
      const p = new ParamStore();
      await assertNoLeaks(() => {
        tf.tidy(() => {
          const rng = new Rng(1);
          const labels = net.classCount > 0 ? randomLabels(rng, 1, net.classCount) : null;
          const sample = net.generate(p, latentNormal(rng, 1, net.latentSize), labels);
          assert.deepEqual(sample.shape, [1, ...expected.sample]);
          const out = net.discriminate(p, sample);
          assert.deepEqual(out.adversarial.shape, [1, 1]);
          assert.deepEqual(out.classes?.shape ?? null, expected.classes ? [1, expected.classes] : null);
        });
        assert.equal(p.count('g/'), expected.g);
        assert.equal(p.count('d/'), expected.d);
        p.dispose();
      });
    });
  }
});
