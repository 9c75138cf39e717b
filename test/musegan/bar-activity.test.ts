import { strict as assert } from 'node:assert';
import { tf } from '../../server/ml/tf.js';
import { initBackend } from '../../server/ml/backend.js';
import { ParamStore } from '../../server/ml/params.js';
import { gateRateLoss, openPaintedBars, soundingBarShares, soundingGateTargets } from '../../server/musegan/bar-activity.js';
import { criticScores } from '../../server/musegan/critic.js';
import { packPhrases } from '../../server/musegan/phrase-data.js';
import { loopSpecFromPreset, parseLoopSpec } from '../../server/musegan/spec.js';
import { addNote, emptyRoll } from '../../server/music/roll.js';
import { withoutLeaks } from './fixtures.js';

describe('musegan bar activity', () => {
  before(async () => {
    await initBackend();
  });

  it("counts each track's share of sounding bars from the packed phrases", () => {
    const spec = loopSpecFromPreset('tiny');
    const a = emptyRoll();
    addNote(a, { track: 'drums', midiPitch: 36, startStep: 0 }); // bar 0
    addNote(a, { track: 'drums', midiPitch: 42, startStep: 60 }); // bar 1
    addNote(a, { track: 'bass', midiPitch: 36, startStep: 0, endStep: 192 }); // all four bars
    const b = emptyRoll();
    addNote(b, { track: 'piano', midiPitch: 107, startStep: 191 }); // the last cell of bar 3, the top pitch
    addNote(b, { track: 'strings', midiPitch: 24, startStep: 0 }); // the first cell of bar 0, the lowest pitch
    const shares = soundingBarShares(packPhrases([a.data, b.data]), spec);
    assert.deepEqual(shares, [2 / 8, 4 / 8, 1 / 8, 0, 1 / 8]); // drums, bass, piano, guitar, strings
  });

  it('the pinball loss pushes open gates down by 1 - s and closed ones up by s, and settles at a share s open', async () => {
    await withoutLeaks(() => {
      tf.tidy(() => {
        // Two bars, two tracks: [n, 1, 1, tracks].
        const logits = tf.tensor4d([2, -1, -3, 0.5], [2, 1, 1, 2]);
        const shares = [0.25, 0.9];
        // Mean over bars, sum over tracks: track 0 (0.75·2 + 0.25·3) / 2, track 1 (0.9·1 + 0.1·0.5) / 2.
        assert.ok(Math.abs(gateRateLoss(logits, shares).dataSync()[0]! - (2.25 / 2 + 0.95 / 2)) < 1e-6);
        const grad = tf.grad((x: tf.Tensor) => gateRateLoss(x as tf.Tensor4D, shares))(logits).dataSync();
        assert.deepEqual(Array.from(grad, (v) => Math.round(v * 1000) / 1000), [0.375, -0.45, -0.125, 0.05]);
      });
      // Gates spread around a learned bias, all open at first: gradient descent on the loss alone leaves a share of
      // them open equal to the target, for any target.
      for (const target of [0.3, 0.6, 0.95]) {
        const spread = tf.tidy(() => tf.reshape(tf.linspace(-2, 2, 40), [40, 1, 1, 1]));
        const bias = tf.tidy(() => tf.variable(tf.scalar(6)));
        const slope = tf.grad((b: tf.Tensor) => gateRateLoss(tf.add(spread, b) as tf.Tensor4D, [target]));
        for (let i = 0; i < 400; i++) tf.tidy(() => bias.assign(tf.sub(bias, tf.mul(slope(bias), 0.5))));
        const open = tf.tidy(() => tf.mean(tf.cast(tf.greater(tf.add(spread, bias), 0), 'float32')).dataSync()[0]!);
        assert.ok(Math.abs(open - target) <= 1 / 40 + 1e-6, `target ${target}: ${open} of the gates open`);
        tf.dispose([spread, bias]);
      }
    });
  });

  it('open, painted bars: gate open and the track not given, without gradient', async () => {
    await withoutLeaks(() => {
      // Two phrases of two bars, two tracks: rows 0-1 phrase 0, rows 2-3 phrase 1, which gives its track 1.
      const gate = tf.tensor4d([3, -1, -2, 0.5, 1, 1, 1, -1], [4, 1, 1, 2]);
      const mask = tf.tensor2d([0, 0, 0, 1], [2, 2]);
      const open = openPaintedBars(gate, mask, 4);
      assert.deepEqual(open.arraySync(), [[1, 0], [0, 1], [1, 0], [1, 0]]);
      const all = openPaintedBars(null, mask, 4);
      assert.deepEqual(all.arraySync(), [[1, 1], [1, 1], [1, 0], [1, 0]], 'without a gate every painted bar is open');
      tf.dispose([gate, mask, open, all]);
    });
  });

  it("raises a track's gate target by the share of its open bars that came out silent, so sounding bars match the data", async () => {
    await withoutLeaks(() => {
      // Four bars, three tracks. Track 0: 4 open, 3 sound. Track 1: 2 open, both sound. Track 2: none open.
      const open = tf.tensor2d([[1, 1, 0], [1, 1, 0], [1, 0, 0], [1, 0, 0]]);
      const sounding = tf.tensor2d([[1, 1, 0], [1, 1, 0], [0, 0, 0], [1, 0, 0]]);
      const targets = soundingGateTargets([0.6, 0.5, 0.3], open, sounding);
      assert.ok(Math.abs(targets[0]! - 0.6 / 0.75) < 1e-9, `${targets[0]}`);
      assert.deepEqual(targets.slice(1), [0.5, 0.3], 'nothing silent (or nothing open): the data share as it is');
      const [openOne, soundingOne] = [tf.tensor2d([[1], [1]]), tf.tensor2d([[1], [0]])];
      assert.equal(soundingGateTargets([0.9], openOne, soundingOne)[0], 1, 'never above 1');
      tf.dispose([open, sounding, openOne, soundingOne]);
    });
  });

  it("the critic reads each bar's pitch classes per track (absent from older spec.json files)", async () => {
    const spec = loopSpecFromPreset('tiny');
    assert.equal(spec.critic.barChroma, true);
    const { barChroma: _, ...olderCritic } = spec.critic;
    const older = parseLoopSpec({ ...spec, critic: olderCritic });
    assert.equal(older.critic.barChroma, false);
    const roll = emptyRoll();
    addNote(roll, { track: 'piano', midiPitch: 60, startStep: 0, endStep: 48 });
    const x = tf.tensor2d(Float32Array.from(roll.data), [1, roll.data.length]);
    const withFeature = new ParamStore({ seed: 7 });
    const without = new ParamStore({ seed: 7 });
    tf.tidy(() => criticScores(withFeature, spec, x));
    tf.tidy(() => criticScores(without, older, x));
    const extra = withFeature.names().filter((n) => !without.names().includes(n));
    assert.deepEqual(extra, ['critic/bar/i0/kernel3']);
    assert.deepEqual(withFeature.variable('critic/bar/i0/kernel3').shape, [12 * 5, spec.critic.barEmbedding]);
    // A one-step blip of a new pitch class moves the score through the feature: its gradient there is not zero.
    await withoutLeaks(() =>
      tf.tidy(() => {
        const blip = 5 * (84 * 10 + 61 - 24) + 2; // bar 0, step 10, MIDI 61, piano
        const grad = tf.grad((input: tf.Tensor) => tf.sum(criticScores(withFeature, spec, input as tf.Tensor2D)))(x).dataSync();
        assert.ok(Number.isFinite(grad[blip]!) && grad[blip] !== 0);
      }),
    );
    tf.dispose(x);
    withFeature.dispose();
    without.dispose();
  });
});
