import { strict as assert } from 'node:assert';
import { tf } from '../../server/ml/tf.js';
import { initBackend } from '../../server/ml/backend.js';
import { Rng } from '../../server/ml/random.js';
import { noteModelSpec, parseNoteModelSpec, type NoteModelSpec } from '../../server/gansynth/spec.js';
import { chooseTimbreClasses, classOffsets, timbreClassOf, timbreCode, timbreLabelsOf, withTimbreClass } from '../../server/gansynth/timbre-classes.js';
import { NoteGan } from '../../server/gansynth/note-gan.js';
import { runDiscriminator } from '../../server/gansynth/discriminator.js';
import { runGenerator, pitchOneHot } from '../../server/gansynth/generator.js';
import { noteTrainDefaults } from '../../server/gansynth/train-config.js';
import { syntheticNotes } from './helpers/synthetic-notes.js';

const repeat = (labels: string[], times: number) => labels.flatMap((l) => new Array<string>(times).fill(l));

/** The tiny spec conditioned on the synthetic set's three instruments. */
function classSpec(): NoteModelSpec {
  const { data } = syntheticNotes([48]);
  return { ...noteModelSpec('tiny'), timbreClasses: chooseTimbreClasses(data, 8) };
}

describe('gansynth timbre classes', () => {
  before(async () => {
    await initBackend();
  });

  it('conditions on the instruments, falls back to families when there are too many, and to none', () => {
    const instruments = repeat(['reed_1', 'brass_2', 'flute_0'], 4);
    const families = repeat(['reed', 'brass', 'flute'], 4);
    const auto = chooseTimbreClasses({ instruments, families }, 64)!;
    assert.deepEqual(auto, { by: 'instrument', classes: ['brass_2', 'flute_0', 'reed_1'], offsets: [0, 0, 0] }, 'sorted, balanced: no offsets');

    const many = { instruments: Array.from({ length: 12 }, (_, i) => `inst_${i}`), families: repeat(['a', 'b', 'c'], 4) };
    assert.equal(chooseTimbreClasses(many, 8)!.by, 'family', '12 instruments do not fit 8 latent components');
    assert.equal(chooseTimbreClasses(many, 64)!.by, 'instrument');
    assert.throws(() => chooseTimbreClasses(many, 8, 'instrument'), /--timbre-classes instrument: the data has 12 instrument label\(s\); conditioning needs 2 to 8/);
    assert.equal(chooseTimbreClasses({ instruments: repeat(['one'], 5), families: repeat(['f'], 5) }, 64), null, 'one instrument: nothing to condition on');
    assert.equal(chooseTimbreClasses({ instruments, families }, 64, 'none'), null);

    assert.deepEqual(timbreLabelsOf(auto, { instruments: ['flute_0', 'reed_1', 'brass_2'], families: [] }), [1, 2, 0]);
    assert.throws(() => timbreLabelsOf(auto, { instruments: ['cello_9'], families: [] }), /instrument "cello_9", which this model's timbre classes do not include/);
  });

  it('offsets make each class come up as often as the data has it', () => {
    const shares = [0.5, 0.3, 0.15, 0.05];
    const offsets = classOffsets(shares);
    assert.ok(offsets[0]! > offsets[1]! && offsets[1]! > offsets[2]! && offsets[2]! > offsets[3]!, `offsets ${offsets}`);
    // Fresh latents, not the sample the offsets were fitted on.
    const rng = new Rng('offsets-check');
    const hits = [0, 0, 0, 0];
    const draws = 40000;
    for (let i = 0; i < draws; i++) {
      const z = rng.normalArray(4);
      let best = 0;
      for (let c = 1; c < 4; c++) if (z[c]! + offsets[c]! > z[best]! + offsets[best]!) best = c;
      hits[best]!++;
    }
    hits.forEach((h, c) => assert.ok(Math.abs(h / draws - shares[c]!) < 0.015, `class ${c}: ${h / draws} vs ${shares[c]}`));
    assert.deepEqual(classOffsets([0.25, 0.25, 0.25, 0.25]), [0, 0, 0, 0]);
  });

  it('reads the class off the latent, the same in tensors and in JS, and moves a latent into a named class', () => {
    const spec = classSpec();
    const rng = new Rng('codes');
    const latents = Array.from({ length: 64 }, () => rng.normalArray(spec.latentSize));
    const before = tf.memory().numTensors;
    const code = timbreCode(spec, tf.tensor2d(latents.flatMap((z) => Array.from(z)), [64, spec.latentSize]))!;
    const rows = code.arraySync();
    code.dispose();
    assert.ok(tf.memory().numTensors <= before + 1);
    latents.forEach((z, i) => {
      const c = timbreClassOf(spec, z);
      assert.deepEqual(rows[i], [0, 1, 2].map((k) => (k === c ? 1 : 0)), `latent ${i}`);
    });
    const counts = [0, 1, 2].map((c) => latents.filter((z) => timbreClassOf(spec, z) === c).length);
    assert.ok(counts.every((n) => n > 10), `every class comes up: ${counts}`);

    for (const [i, name] of spec.timbreClasses!.classes.entries()) {
      const moved = withTimbreClass(spec, latents[0]!, name);
      assert.equal(timbreClassOf(spec, moved), i);
      assert.deepEqual([...moved].sort(), [...latents[0]!].sort(), 'a permutation of the same values');
      assert.deepEqual(moved.slice(3), latents[0]!.slice(3), 'components past the classes untouched');
    }
    assert.throws(() => withTimbreClass(spec, latents[0]!, 'kazoo'), /unknown instrument "kazoo"; this model knows brass, flute, reed/);
    assert.throws(() => withTimbreClass(noteModelSpec('tiny'), latents[0]!, 'flute'), /this model has no timbre classes/);
    assert.equal(timbreCode(noteModelSpec('tiny'), tf.zeros([1, 8]) as tf.Tensor2D), null);
  });

  it('spec.json carries the classes; older specs have none, and broken ones are refused', () => {
    const spec = classSpec();
    assert.deepEqual(parseNoteModelSpec(JSON.parse(JSON.stringify(spec))), spec);
    const { timbreClasses: _dropped, ...older } = spec;
    assert.equal(parseNoteModelSpec(older).timbreClasses, null);
    const classes = Array.from({ length: 9 }, (_, i) => `c${i}`);
    assert.throws(() => parseNoteModelSpec({ ...spec, timbreClasses: { by: 'instrument', classes, offsets: classes.map(() => 0) } }), /more timbre classes than latent components/);
    assert.throws(() => parseNoteModelSpec({ ...spec, timbreClasses: { by: 'instrument', classes: ['a', 'a'], offsets: [0, 0] } }), /distinct/);
    assert.throws(() => parseNoteModelSpec({ ...spec, timbreClasses: { by: 'instrument', classes: ['a', 'b'], offsets: [0] } }), /one offset each/);
  });

  it('trains the timbre heads: the critic learns to name real instruments, and a step leaks nothing', () => {
    const spec = classSpec();
    const { data } = syntheticNotes([36, 48, 60, 72]);
    const labels = timbreLabelsOf(spec.timbreClasses!, data);
    const gan = new NoteGan(spec, { ...noteTrainDefaults, batchSize: 4, learningRate: 3e-3 });
    try {
      tf.tidy(() => {
        const out = runDiscriminator(gan.discriminator, spec, runGenerator(gan.generator, spec, tf.randomNormal([4, 8]), pitchOneHot(spec, [36, 48, 60, 72])));
        assert.deepEqual(out.timbreLogits!.shape, [4, 3]);
      });
      const rng = new Rng('timbre-train');
      const order = new Rng('timbre-order');
      const accuracy: number[] = [];
      let before = 0;
      for (let step = 0; step < 160; step++) {
        const pick = Array.from({ length: 4 }, () => Math.floor(order.uniform() * data.images.length));
        if (step === 1) before = tf.memory().numTensors; // the first step creates the Adam moments
        const real = tf.tensor4d(Float32Array.from(pick.flatMap((i) => Array.from(data.images[i]!))), [4, 32, 32, 2]);
        const losses = gan.trainStep(real, pick.map((i) => data.midiPitches[i]!), rng, pick.map((i) => labels[i]!));
        real.dispose();
        if (step >= 1) assert.equal(tf.memory().numTensors, before, `step ${step} leaks no tensors`);
        assert.ok(Object.values(losses).every(Number.isFinite), JSON.stringify(losses));
        assert.ok(losses.generatorTimbreLoss > 0 && losses.discriminatorTimbreLoss > 0);
        accuracy.push(losses.discriminatorTimbreAccuracy);
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const [first, last] = [mean(accuracy.slice(0, 40)), mean(accuracy.slice(-40))];
      assert.ok(last > 0.55 && last > first + 0.2, `the critic learns to name real instruments: ${first} in the first 40 steps, ${last} in the last 40 (chance 1/3)`);
      const real = tf.zeros([4, 32, 32, 2]) as tf.Tensor4D;
      assert.throws(() => gan.trainStep(real, [36, 48, 60, 72], rng), /timbre classes need one label per real note/);
      real.dispose();
    } finally {
      gan.dispose();
    }
  });
});
