import { strict as assert } from 'node:assert';
import { tf } from '../../server/ml/tf.js';
import { initBackend } from '../../server/ml/backend.js';
import { ParamStore } from '../../server/ml/params.js';
import { Rng } from '../../server/ml/random.js';
import { expandPitch, expandTime, instanceDense, reducePatch, reducePitch, reduceTime } from '../../server/musegan/block-layers.js';
import { criticScores } from '../../server/musegan/critic.js';
import { generatorLogits, generatorParts, compositeGiven, OUTPUT_PRIOR_LOGIT } from '../../server/musegan/generator.js';
import { gatedOutput, generatorOutput } from '../../server/musegan/binarize.js';
import { disposeLatentTensors, latentTensors, sampleLatent } from '../../server/musegan/latents.js';
import { GENERATOR_DESIGNS, loopShape, loopSpecFromPreset, parseLoopSpec, type LoopSpec } from '../../server/musegan/spec.js';
import { gradientPenalty } from '../../server/ml/losses.js';
import { withoutLeaks } from './fixtures.js';

const grid = { n: 2, h: 6, w: 4 };

function random(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(new Rng(seed).normalArray(shape.reduce((a, b) => a * b, 1)), shape);
}

/** The layer's kernel [in, factor*units] or [factor*in, units] as a tfjs conv kernel. */
function kernelOf(p: ParamStore, scope: string): tf.Tensor2D {
  return p.variable(`${scope}/i0/kernel0`) as unknown as tf.Tensor2D;
}

function zeroInputs(spec: LoopSpec, batch: number) {
  const tracks = spec.tracks.length;
  return { roll: tf.zeros([batch * spec.bars, spec.stepsPerBar, spec.pitchCount, tracks]) as tf.Tensor4D, mask: tf.zeros([batch, tracks]) as tf.Tensor2D };
}

describe('musegan networks', () => {
  before(async () => {
    await initBackend();
  });

  it('presets are valid specs; MuseGAN paper sizes; designs decide instances; bad specs are refused by name', () => {
    for (const preset of ['tiny', 'lite', 'paper']) {
      for (const design of GENERATOR_DESIGNS) {
        const spec = loopSpecFromPreset(preset, { design });
        assert.deepEqual(parseLoopSpec(JSON.parse(JSON.stringify(spec))), spec);
      }
    }
    const paper = loopSpecFromPreset('paper');
    assert.deepEqual([paper.bars, paper.stepsPerBar, paper.pitchCount, paper.tracks.length], [4, 48, 84, 5]);
    const l = paper.latent;
    assert.equal(l.shared + l.sharedTemporal + l.private + l.privateTemporal, 128);
    assert.deepEqual(
      GENERATOR_DESIGNS.map((design) => {
        const s = loopShape(loopSpecFromPreset('tiny', { design }));
        return [s.generatorInstances, s.generatorOutputs, s.criticInstances];
      }),
      [
        [5, 1, 5],
        [1, 5, 1],
        [5, 1, 1],
      ],
    );
    assert.throws(() => loopSpecFromPreset('huge'), /unknown loop preset "huge"/);
    const broken = { ...loopSpecFromPreset('tiny'), pitchCount: 80 };
    assert.throws(() => parseLoopSpec(broken, 'm/spec.json'), /m\/spec\.json is not a valid loop model spec: .*whole octaves/);
    const composerWithPrivate = { ...loopSpecFromPreset('tiny', { design: 'composer' }), latent: { shared: 8, sharedTemporal: 8, private: 8, privateTemporal: 0 } };
    assert.throws(() => parseLoopSpec(composerWithPrivate), /composer design has no private latents/);
  });

  it('kernel = stride layers equal tfjs (transposed) convolutions with the same weights', async () => {
    await withoutLeaks(() =>
      tf.tidy(() => {
        const p = new ParamStore({ seed: 3 });
        const cin = 3;
        const units = 2;
        const x = random([grid.n * grid.h * grid.w, cin], 1) as tf.Tensor2D;
        const x4 = tf.reshape(x, [grid.n, grid.h, grid.w, cin]) as tf.Tensor4D;
        const f = 3;

        expandTime(p, 'et', 1, [x], grid, f, units); // builds it; its ICNR init ties the sub-steps, so untie them:
        p.variable('et/i0/kernel0').assign(random([cin, f * units], 2) as tf.Tensor2D);
        const et = expandTime(p, 'et', 1, [x], grid, f, units).y[0]!;
        const wEt = kernelOf(p, 'et'); // [cin, f*units]: column k*units + j
        const kEt = tf.reshape(tf.transpose(tf.reshape(wEt, [cin, f, units]), [1, 2, 0]), [f, 1, units, cin]) as tf.Tensor4D;
        const refEt = tf.conv2dTranspose(x4, kEt, [grid.n, grid.h * f, grid.w, units], [f, 1], 'valid');
        assert.ok(tf.max(tf.abs(tf.sub(tf.reshape(et, refEt.shape), refEt))).dataSync()[0]! < 1e-4, 'expandTime');

        const ep = expandPitch(p, 'ep', 1, [x], grid, f, units).y[0]!;
        const kEp = tf.reshape(tf.transpose(tf.reshape(kernelOf(p, 'ep'), [cin, f, units]), [1, 2, 0]), [1, f, units, cin]) as tf.Tensor4D;
        const refEp = tf.conv2dTranspose(x4, kEp, [grid.n, grid.h, grid.w * f, units], [1, f], 'valid');
        assert.ok(tf.max(tf.abs(tf.sub(tf.reshape(ep, refEp.shape), refEp))).dataSync()[0]! < 1e-4, 'expandPitch');

        const rt = reduceTime(p, 'rt', 1, [x], grid, 2, units).y[0]!;
        const kRt = tf.reshape(kernelOf(p, 'rt'), [2, 1, cin, units]) as tf.Tensor4D; // row k*cin + c
        const refRt = tf.conv2d(x4, kRt, [2, 1], 'valid');
        assert.ok(tf.max(tf.abs(tf.sub(tf.reshape(rt, refRt.shape), refRt))).dataSync()[0]! < 1e-4, 'reduceTime');

        const rp = reducePitch(p, 'rp', 1, [x], grid, 2, units).y[0]!;
        const kRp = tf.reshape(kernelOf(p, 'rp'), [1, 2, cin, units]) as tf.Tensor4D;
        const refRp = tf.conv2d(x4, kRp, [1, 2], 'valid');
        assert.ok(tf.max(tf.abs(tf.sub(tf.reshape(rp, refRp.shape), refRp))).dataSync()[0]! < 1e-4, 'reducePitch');

        const patchGrid = { n: 2, h: 6, w: 24 };
        const xp = random([patchGrid.n * patchGrid.h * patchGrid.w, cin], 3) as tf.Tensor2D;
        const rpa = reducePatch(p, 'rpa', 1, [xp], patchGrid, 3, 12, units).y[0]!;
        const kRpa = tf.reshape(kernelOf(p, 'rpa'), [3, 12, cin, units]) as tf.Tensor4D; // row (kt*12 + kp)*cin + c
        const refRpa = tf.conv2d(tf.reshape(xp, [2, 6, 24, cin]) as tf.Tensor4D, kRpa, [3, 12], 'valid');
        assert.ok(tf.max(tf.abs(tf.sub(tf.reshape(rpa, refRpa.shape), refRpa))).dataSync()[0]! < 1e-4, 'reducePatch');
        p.dispose();
      }),
    );
  });

  for (const design of GENERATOR_DESIGNS) {
    it(`${design}: generator gives channels-last rolls, a loop does not depend on its batch, the critic scores each phrase`, async () => {
      const spec = loopSpecFromPreset('tiny', { design });
      const g = new ParamStore({ seed: 1 });
      const d = new ParamStore({ seed: 2 });
      const rng = new Rng(5);
      const latents = [sampleLatent(spec, rng), sampleLatent(spec, rng), sampleLatent(spec, rng)];
      const both = latentTensors(spec, latents);
      const alone = latentTensors(spec, latents.slice(1, 2));
      // Build the parameters first, so the leak check below sees only the forward passes.
      tf.tidy(() => criticScores(d, spec, tf.reshape(generatorLogits(g, spec, alone, zeroInputs(spec, 1)), [1, -1]) as tf.Tensor2D));
      await withoutLeaks(() =>
        tf.tidy(() => {
          const logits = generatorParts(g, spec, both, zeroInputs(spec, 3)).notes;
          assert.deepEqual(logits.shape, [3 * spec.bars, 48, 84, 5]);
          const single = generatorParts(g, spec, alone, zeroInputs(spec, 1)).notes;
          const middle = tf.slice(logits, [spec.bars, 0, 0, 0], [spec.bars, -1, -1, -1]);
          assert.ok(tf.max(tf.abs(tf.sub(middle, single))).dataSync()[0]! < 1e-4, 'the same latent gives the same loop in any batch');
          // ICNR-initialised time expansions: an untrained generator holds its notes over whole beats (12 steps).
          const beats = tf.reshape(logits, [3 * spec.bars * 4, 12, 84 * 5]);
          const spread = tf.max(tf.sub(tf.max(beats, 1), tf.min(beats, 1))).dataSync()[0]!;
          assert.ok(spread < 1e-4, `logits vary within a beat by ${spread}`);
          const mean = tf.mean(logits).dataSync()[0]!;
          assert.ok(Math.abs(mean - OUTPUT_PRIOR_LOGIT) < 2, `untrained logits sit near the prior (${mean})`);
          const scores = criticScores(d, spec, tf.reshape(tf.sigmoid(logits), [3, -1]) as tf.Tensor2D);
          assert.equal(scores.shape[0], 3);
          assert.ok(Array.from(scores.dataSync()).every(Number.isFinite));
        }),
      );
      disposeLatentTensors(both);
      disposeLatentTensors(alone);
      g.dispose();
      d.dispose();
    });
  }

  it("the gradient penalty's parameter gradient (second order through the critic's blocks) matches finite differences", () => {
    // The critic's building blocks (onsets, both reductions, several inputs, an octave sum) with a smooth activation:
    // with leaky ReLU the penalty is only piecewise smooth and finite differences jump at its kinks.
    const smooth = (t: tf.Tensor2D) => tf.add(t, tf.mul(tf.square(t), 0.1)) as tf.Tensor2D;
    const g = { n: 2, h: 6, w: 24 };
    const critic = (p: ParamStore, flat: tf.Tensor2D) => {
      const x = tf.reshape(flat, [g.n * g.h * g.w, 1]) as tf.Tensor2D;
      const steps = tf.reshape(x, [g.n, g.h, g.w]);
      const previous = tf.concat([tf.zeros([g.n, 1, g.w]), tf.slice(steps, [0, 0, 0], [g.n, g.h - 1, g.w])], 1);
      const onsets = tf.reshape(tf.relu(tf.sub(steps, previous)), [g.n * g.h * g.w, 1]) as tf.Tensor2D;
      const a = reducePitch(p, 'a', 1, [x, onsets], g, 12, 3);
      const b = reduceTime(p, 'b', 1, [smooth(a.y[0]!)], a.grid, 3, 4);
      const chroma = tf.reshape(tf.sum(tf.reshape(x, [g.n * g.h, 2, 12]), 1), [g.n, g.h * 12]) as tf.Tensor2D;
      const perPhrase = tf.reshape(smooth(b.y[0]!), [g.n, -1]) as tf.Tensor2D;
      return tf.reshape(instanceDense(p, 'score', 1, [perPhrase, smooth(chroma)], 1)[0]!, [g.n]);
    };
    const d = new ParamStore({ seed: 4 });
    const rng = new Rng(8);
    const size = g.h * g.w;
    const real = tf.tensor2d(Float32Array.from({ length: g.n * size }, () => (rng.uniform() < 0.2 ? 1 : 0)), [g.n, size]);
    const fake = tf.tensor2d(Float32Array.from({ length: g.n * size }, () => rng.uniform() * 0.5), [g.n, size]);
    const alphas = Float32Array.from([0.3, 0.8]);
    const penalty = () => gradientPenalty((x) => critic(d, x as tf.Tensor2D), real, fake, { weight: 10, alphas });
    tf.tidy(() => penalty()); // builds the parameters
    for (const name of d.names().filter((n) => n.includes('kernel'))) {
      const { loss, grads } = d.gradients(penalty, name);
      const analytic = grads[name]!.dataSync()[1]!;
      tf.dispose([loss, ...Object.values(grads)]);
      const variable = d.variable(name);
      const original = variable.dataSync().slice();
      const at = (delta: number) => {
        const moved = original.slice();
        moved[1]! += delta;
        variable.assign(tf.tensor(moved, variable.shape));
        return tf.tidy(() => penalty().dataSync()[0]!);
      };
      const h = 1e-2;
      const numeric = (at(h) - at(-h)) / (2 * h);
      variable.assign(tf.tensor(original, variable.shape));
      assert.ok(Math.abs(numeric - analytic) <= 0.02 * Math.abs(numeric) + 1e-3, `${name}: analytic ${analytic}, numeric ${numeric}`);
    }
    tf.dispose([real, fake]);
    d.dispose();
  });

  for (const design of GENERATOR_DESIGNS) {
    it(`${design}: the activity gate silences whole bars of a track at generation, and only those`, async () => {
      const spec = loopSpecFromPreset('tiny', { design });
      assert.equal(spec.generator.activityGate, true);
      const g = new ParamStore({ seed: 3 });
      const latents = latentTensors(spec, Array.from({ length: 6 }, (_, i) => sampleLatent(spec, new Rng(40 + i))));
      tf.tidy(() => generatorLogits(g, spec, latents, zeroInputs(spec, 6)));
      await withoutLeaks(() =>
        tf.tidy(() => {
          const { notes, gate } = generatorParts(g, spec, latents, zeroInputs(spec, 6));
          assert.deepEqual(gate!.shape, [6 * spec.bars, 1, 1, 5]);
          const gates = gate!.dataSync();
          const on = Array.from(gates).filter((v) => v > 0).length;
          assert.ok(on > 0 && on < gates.length, `an untrained gate has bars on and off (${on} of ${gates.length} on)`);
          const probabilities = tf.sigmoid(generatorLogits(g, spec, latents, zeroInputs(spec, 6)));
          const expected = tf.mul(tf.sigmoid(notes), tf.cast(tf.greater(gate!, 0), 'float32'));
          assert.ok(tf.max(tf.abs(tf.sub(probabilities, expected))).dataSync()[0]! < 1e-6, 'gated-off bars are silent, the others keep their notes');
        }),
      );
      disposeLatentTensors(latents);
      g.dispose();
    });
  }

  it('gated output: binary notes times the binary gate, with the gradient of the probabilities\' product on both sides of a closed gate', async () => {
    await withoutLeaks(() =>
      tf.tidy(() => {
        const notes = tf.tensor4d([1, -1, 2, 3, -2, 0.5], [2, 3, 1, 1]); // two bars of three cells, one track
        const gate = tf.tensor4d([0.7, -0.4], [2, 1, 1, 1]);
        assert.deepEqual(Array.from(gatedOutput(notes, gate, 'binary').dataSync()), [1, 0, 1, 0, 0, 0]);
        const weights = tf.tensor4d([1, 2, 3, 4, 5, 6], [2, 3, 1, 1]);
        const loss = (n: tf.Tensor, g: tf.Tensor) => tf.sum(tf.mul(gatedOutput(n as tf.Tensor4D, g as tf.Tensor4D, 'binary'), weights));
        const [dNotes, dGate] = tf.grads(loss)([notes, gate]);
        // The same gradients as the real-valued product sigmoid(notes) * sigmoid(gate).
        const [eNotes, eGate] = tf.grads((n: tf.Tensor, g: tf.Tensor) => tf.sum(tf.mul(gatedOutput(n as tf.Tensor4D, g as tf.Tensor4D, 'sigmoid'), weights)))([notes, gate]);
        assert.ok(tf.max(tf.abs(tf.sub(dNotes!, eNotes!))).dataSync()[0]! < 1e-6, 'notes gradient');
        assert.ok(tf.max(tf.abs(tf.sub(dGate!, eGate!))).dataSync()[0]! < 1e-6, 'gate gradient');
        // Bar 1's gate is closed and bar 0 has an off note: both still get gradient.
        assert.ok(Array.from(dNotes!.dataSync()).every((v) => v > 0));
        assert.ok(Array.from(dGate!.dataSync()).every((v) => v > 0));
        assert.deepEqual(Array.from(gatedOutput(notes, null, 'binary').dataSync()), [1, 0, 1, 1, 0, 1]);
      }),
    );
  });

  it('a spec.json from before the activity gate loads without one (no gate parameters, no gate)', () => {
    const { activityGate: _, ...older } = loopSpecFromPreset('tiny').generator;
    const spec = parseLoopSpec({ ...loopSpecFromPreset('tiny'), generator: older });
    assert.equal(spec.generator.activityGate, false);
    const g = new ParamStore({ seed: 1 });
    const latents = latentTensors(spec, [sampleLatent(spec, new Rng(1))]);
    tf.tidy(() => assert.equal(generatorParts(g, spec, latents, zeroInputs(spec, 1)).gate, null));
    assert.ok(!g.names().some((n) => n.includes('activity')), 'no gate parameters');
    disposeLatentTensors(latents);
    g.dispose();
  });

  it('binary neurons: 0/1 forward, sigmoid gradient backward (straight-through)', async () => {
    await withoutLeaks(() =>
      tf.tidy(() => {
        const logits = tf.tensor1d([-3, -0.2, 0.1, 2.5]);
        assert.deepEqual(Array.from(generatorOutput(logits, 'binary').dataSync()), [0, 0, 1, 1]);
        const weights = tf.tensor1d([1, 2, 3, 4]);
        const grad = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(generatorOutput(l, 'binary'), weights)))(logits);
        const s = tf.sigmoid(logits);
        const expected = tf.mul(tf.mul(s, tf.sub(1, s)), weights);
        assert.ok(tf.max(tf.abs(tf.sub(grad, expected))).dataSync()[0]! < 1e-6);
      }),
    );
  });

  it('given tracks replace the generated ones exactly; the others pass through', () => {
    const spec = loopSpecFromPreset('tiny');
    tf.tidy(() => {
      const generated = tf.fill([spec.bars, 48, 84, 5], 0.25) as tf.Tensor4D;
      const mask = tf.tensor2d([[0, 1, 0, 0, 1]]);
      const roll = tf.mul(tf.onesLike(generated), tf.reshape(mask, [1, 1, 1, 5])) as tf.Tensor4D;
      const out = compositeGiven(spec, generated, { roll, mask });
      const perTrack = tf.mean(out, [0, 1, 2]).dataSync();
      assert.deepEqual(Array.from(perTrack), [0.25, 1, 0.25, 0.25, 1]);
    });
  });
});
