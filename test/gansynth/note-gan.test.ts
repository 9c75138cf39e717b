import { strict as assert } from 'node:assert';
import { tf } from '../../server/ml/tf.js';
import { initBackend } from '../../server/ml/backend.js';
import { noteModelSpec, parseNoteModelSpec, startShape } from '../../server/gansynth/spec.js';
import { NoteGan } from '../../server/gansynth/note-gan.js';
import { runGenerator, pitchOneHot } from '../../server/gansynth/generator.js';
import { runDiscriminator } from '../../server/gansynth/discriminator.js';
import { noteTrainDefaults } from '../../server/gansynth/train-config.js';
import { Rng } from '../../server/ml/random.js';
import { syntheticNotes } from './helpers/synthetic-notes.js';

describe('gansynth networks and training step (tiny)', () => {
  before(async () => {
    await initBackend();
  });

  it('presets build valid specs on the spectral presets of the same name', () => {
    for (const preset of ['tiny', 'lite', 'paper']) {
      const spec = noteModelSpec(preset);
      assert.deepEqual(parseNoteModelSpec(JSON.parse(JSON.stringify(spec))), spec);
      assert.equal(spec.midiPitchMax - spec.midiPitchMin + 1, 61);
    }
    assert.deepEqual(startShape(noteModelSpec('paper')), [2, 16], "GANSynth's 2x16 start");
    assert.throws(() => noteModelSpec('huge'), /unknown note preset "huge"/);
    const broken = { ...noteModelSpec('tiny'), discriminator: { channels: [4, 8], convsPerBlock: 1, minibatchStddevGroup: 4 } };
    assert.throws(() => parseNoteModelSpec(broken, 'x/spec.json'), /x\/spec\.json: generator and discriminator need the same number of blocks/);
    assert.throws(() => parseNoteModelSpec({ kind: 'loops' }, 'y/spec.json'), /y\/spec\.json: not a note model spec/);
  });

  it('maps latent + pitch to a [-1, 1] IF-Mel image, and the critic to a score and 61 pitch logits', () => {
    const spec = noteModelSpec('tiny');
    const gan = new NoteGan(spec, { ...noteTrainDefaults, batchSize: 4 });
    try {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const images = runGenerator(gan.generator, spec, tf.randomNormal([4, spec.latentSize]), pitchOneHot(spec, [24, 40, 60, 84]));
        assert.deepEqual(images.shape, [4, spec.spectral.frames, spec.spectral.melBins, 2]);
        const values = images.dataSync();
        assert.ok(values.every((v) => v >= -1 && v <= 1));
        const out = runDiscriminator(gan.discriminator, spec, images);
        assert.deepEqual(out.critic.shape, [4, 1]);
        assert.deepEqual(out.pitchLogits.shape, [4, 61]);
      });
      assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    } finally {
      gan.dispose();
    }
  });

  it('trains: finite losses, the weights move, and a step leaks no tensors', () => {
    const { data } = syntheticNotes([36, 48, 60, 72]);
    const spec = noteModelSpec('tiny');
    const gan = new NoteGan(spec, { ...noteTrainDefaults, batchSize: 4 });
    try {
      const rng = new Rng(1);
      const real = tf.tensor4d(Float32Array.from(data.images.slice(0, 4).flatMap((i) => Array.from(i))), [4, 32, 32, 2]);
      const pitches = data.midiPitches.slice(0, 4);
      const w0 = gan.generator.snapshot();
      gan.trainStep(real, pitches, rng); // first step creates the Adam moments
      const before = tf.memory().numTensors;
      const losses = gan.trainStep(real, pitches, rng);
      assert.equal(tf.memory().numTensors, before, 'a training step leaks no tensors');
      assert.ok(Object.values(losses).every(Number.isFinite), JSON.stringify(losses));
      assert.ok(losses.gradientPenalty > 0);
      assert.equal(gan.step, 2);
      const w1 = gan.generator.snapshot();
      const moved = Object.keys(w0).filter((k) => tf.tidy(() => tf.max(tf.abs(tf.sub(w0[k]!, w1[k]!))).dataSync()[0]!) > 0);
      assert.equal(moved.length, Object.keys(w0).length, 'every generator weight was updated');
      tf.dispose([real, w0, w1]);
    } finally {
      gan.dispose();
    }
  });
  it('the mode-seeking term adds weight / (image distance per latent distance) to the generator loss, and only when on', () => {
    const { data } = syntheticNotes([36, 48, 60, 72]);
    const spec = noteModelSpec('tiny');
    const pitches = data.midiPitches.slice(0, 4);
    const rng = new Rng(3);
    const latents = rng.normalArray(4 * spec.latentSize);
    const pairLatents = rng.normalArray(4 * spec.latentSize);
    const lossOf = (modeSeekingWeight: number) => {
      const gan = new NoteGan(spec, { ...noteTrainDefaults, batchSize: 4, modeSeekingWeight });
      try {
        const before = tf.memory().numTensors;
        const g = gan.generatorGradients({ midiPitches: pitches, latents, pairLatents });
        const gradNorm = tf.tidy(() => tf.addN(Object.values(g.grads).map((t) => tf.sum(tf.square(t)))).dataSync()[0]!);
        tf.dispose(g.grads);
        assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
        return { ...g.figures, gradNorm };
      } finally {
        gan.dispose();
      }
    };
    const off = lossOf(0);
    assert.equal(off.modeSeekingRatio, 0, 'off: not measured');
    const pitchWeight = noteTrainDefaults.generatorPitchLossWeight;
    assert.ok(Math.abs(off.generatorLoss - (off.generatorAdversarialLoss + pitchWeight * off.generatorPitchLoss)) < 1e-4);
    const on = lossOf(2);
    assert.ok(on.modeSeekingRatio > 0 && Number.isFinite(on.modeSeekingRatio), `ratio ${on.modeSeekingRatio}`);
    assert.ok(Math.abs(on.generatorAdversarialLoss - off.generatorAdversarialLoss) < 1e-5, 'the same generator and critic (seeded init)');
    const term = on.generatorLoss - (on.generatorAdversarialLoss + pitchWeight * on.generatorPitchLoss);
    assert.ok(Math.abs(term - 2 / (on.modeSeekingRatio + 1e-5)) < 1e-3 * term, `term ${term}, ratio ${on.modeSeekingRatio}`);
    assert.notEqual(on.gradNorm, off.gradNorm, 'the term has a gradient');
    const gan = new NoteGan(spec, { ...noteTrainDefaults, batchSize: 4, modeSeekingWeight: 1 });
    try {
      assert.throws(() => gan.generatorGradients({ midiPitches: pitches, latents }), /mode-seeking term needs a second latent/);
    } finally {
      gan.dispose();
    }
  });
});
