import { strict as assert } from 'node:assert';
import { tf } from '../../server/ml/tf.js';
import { initBackend } from '../../server/ml/backend.js';
import { generatorOutput } from '../../server/musegan/binarize.js';
import { openPaintedBars } from '../../server/musegan/bar-activity.js';
import { PITCH_CLASS_TOLERANCE, countedBars, pitchClassMatching, usedPitchClassesPerBar } from '../../server/musegan/bar-pitch-classes.js';
import { packPhrases } from '../../server/musegan/phrase-data.js';
import { loopSpecFromPreset } from '../../server/musegan/spec.js';
import { evaluateLoops } from '../../server/music/metrics.js';
import { addNote, emptyRoll } from '../../server/music/roll.js';
import { withoutLeaks } from './fixtures.js';

const spec = loopSpecFromPreset('tiny');
const TRACKS = 5;
const PITCHES = 84;
const STEPS = 48;

/** One bar-row tensor [n, steps, pitches, tracks] with the given (row, step, pitch index, track) cells on. */
function bars(n: number, cells: [number, number, number, number][]): tf.Tensor4D {
  const data = new Float32Array(n * STEPS * PITCHES * TRACKS);
  for (const [row, step, pitch, track] of cells) data[((row * STEPS + step) * PITCHES + pitch) * TRACKS + track] = 1;
  return tf.tensor4d(data, [n, STEPS, PITCHES, TRACKS]);
}

describe('musegan pitch classes per bar', () => {
  before(async () => {
    await initBackend();
  });

  it("counts each pitched track's mean pitch classes per sounding bar from the packed phrases, as MuseGAN's UPC does", () => {
    const a = emptyRoll();
    addNote(a, { track: 'drums', midiPitch: 36, startStep: 0 });
    addNote(a, { track: 'bass', midiPitch: 36, startStep: 0, endStep: 192 }); // C in all four bars
    addNote(a, { track: 'bass', midiPitch: 48, startStep: 10 }); // another C, bar 0: still one class
    addNote(a, { track: 'piano', midiPitch: 60, startStep: 0 }); // bar 0: C E G
    addNote(a, { track: 'piano', midiPitch: 64, startStep: 5 });
    addNote(a, { track: 'piano', midiPitch: 67, startStep: 40 });
    addNote(a, { track: 'piano', midiPitch: 61, startStep: 150 }); // bar 3: C#
    const b = emptyRoll();
    addNote(b, { track: 'guitar', midiPitch: 107, startStep: 191 }); // the last cell, the top pitch (B)
    addNote(b, { track: 'guitar', midiPitch: 24, startStep: 144 }); // bar 3 too, the lowest pitch (C)
    const upc = usedPitchClassesPerBar(packPhrases([a.data, b.data]), spec);
    assert.deepEqual(upc, [null, 1, 2, 2, null]); // drums not measured; piano (3 + 1) / 2 bars; strings silent
    const metrics = evaluateLoops([a, b]);
    assert.equal(metrics.tracks.piano.usedPitchClassesPerBar, upc[2]);
    assert.equal(metrics.tracks.guitar.usedPitchClassesPerBar, upc[3]);
  });

  it('counts bars the generator painted: sounding, gate open and the track not given', async () => {
    await withoutLeaks(() => {
      // Two phrases of two bars each: rows 0-1 phrase 0, rows 2-3 phrase 1.
      const painted = bars(4, [
        [0, 0, 10, 1],
        [1, 3, 20, 1],
        [2, 0, 0, 2],
        [3, 0, 0, 1],
      ]);
      const gate = tf.tensor4d(
        Array.from({ length: 4 * TRACKS }, (_, i) => (i === 1 * TRACKS + 1 ? -1 : 1)), // bar 1's bass gate is closed
        [4, 1, 1, TRACKS],
      );
      const mask = tf.tensor2d([0, 0, 0, 0, 0, 0, 1, 0, 0, 0], [2, TRACKS]); // phrase 1 gives its bass
      const open = openPaintedBars(gate, mask, 4);
      const counted = countedBars(painted, open);
      const expected = [
        [0, 1, 0, 0, 0],
        [0, 0, 0, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0],
      ];
      assert.deepEqual(counted.arraySync(), expected);
      tf.dispose([painted, gate, mask, open, counted]);
    });
  });

  it('the loss is the relative surplus of the mean; its gradient pushes down stray classes only', async () => {
    await withoutLeaks(() => {
      const held = (row: number, pitch: number, from: number, steps: number) =>
        Array.from({ length: steps }, (_, k) => [row, from + k, pitch, 2] as [number, number, number, number]);
      // Piano bar 0: C held a quarter (12 cells), E one cell, G one cell in two octaves: 3 classes, 2 of them strays.
      // Bar 1: D held 7 cells: 1 class, not a stray (an eighth note is 6 cells).
      const notes = bars(2, [...held(0, 36, 0, 12), [0, 0, 40, 2], [0, 9, 43, 2], [0, 20, 31, 2], ...held(1, 38, 0, 7)]);
      const counted = tf.tensor2d([0, 0, 1, 0, 0, 0, 0, 1, 0, 0], [2, TRACKS]);
      const targets = [null, 2, 1.5, 4, 3];
      const stray = 6;
      const { loss, means } = pitchClassMatching(notes, counted, targets, stray);
      // Piano mean (3 + 1) / 2 = 2 against 1.5 and its tolerance: surplus (2 - 1.5·1.2) / 1.5. Bass, guitar, strings
      // count no bar: below target, 0.
      assert.equal(PITCH_CLASS_TOLERANCE, 0.2);
      assert.ok(Math.abs(loss.dataSync()[0]! - (2 - 1.8) / 1.5) < 1e-6, `loss ${loss.dataSync()[0]}`);
      const m = means.dataSync();
      assert.equal(m[2], 2);
      assert.ok(Number.isNaN(m[1]!) && Number.isNaN(m[0]!), 'no counted bar: NaN');
      const grad = tf.grad((x: tf.Tensor) => pitchClassMatching(x as tf.Tensor4D, counted, targets, stray).loss)(notes);
      const g = grad.dataSync();
      const at = (row: number, step: number, pitch: number, track: number) => g[((row * STEPS + step) * PITCHES + pitch) * TRACKS + track]!;
      const slope = 1 / 1.5 / 2 / stray; // d loss / d mean, d mean / d bar, d soft count / d cell
      for (const [step, pitch] of [[0, 40], [9, 43], [20, 31], [30, 37]] as const) {
        assert.ok(Math.abs(at(0, step, pitch, 2) - slope) < 1e-6, `stray (or unused) class cell ${step}/${pitch}: ${at(0, step, pitch, 2)}`);
      }
      // Held classes (on cells and off cells alike), uncounted bars and other tracks get nothing.
      for (const [row, step, pitch, track] of [[0, 0, 36, 2], [0, 30, 48, 2], [1, 0, 38, 2], [1, 0, 38, 1], [0, 0, 36, 0]] as const) {
        assert.ok(at(row, step, pitch, track) === 0, `no gradient at ${row}/${step}/${pitch}/${track}: ${at(row, step, pitch, track)}`);
      }
      // Within the tolerance over the target nothing moves.
      const below = tf.grad((x: tf.Tensor) => pitchClassMatching(x as tf.Tensor4D, counted, [null, 2, 1.7, 4, 3], stray).loss)(notes);
      assert.equal(tf.tidy(() => tf.max(tf.abs(below)).dataSync()[0]), 0);
      tf.dispose([notes, counted, loss, means, grad, below]);
    });
  });

  it("never pushes a bar's strongest class, so a bar of short notes keeps its main one", async () => {
    await withoutLeaks(() => {
      // Bass bar: C a 16th (3 cells), E one cell, G one cell: three classes, all strays by length.
      const notes = bars(1, [[0, 0, 36, 1], [0, 1, 36, 1], [0, 2, 36, 1], [0, 12, 40, 1], [0, 24, 43, 1]]);
      const counted = tf.tensor2d([[0, 1, 0, 0, 0]]);
      const targets = [null, 1, null, null, null];
      const grad = tf.grad((x: tf.Tensor) => pitchClassMatching(x as tf.Tensor4D, counted, targets, 6).loss)(notes);
      const g = grad.dataSync();
      const at = (step: number, pitch: number) => g[(step * PITCHES + pitch) * TRACKS + 1]!;
      assert.ok(at(0, 36) === 0 && at(2, 36) === 0, 'the strongest class (C, a stray by length) is left alone');
      assert.ok(at(12, 40) > 0 && at(24, 43) > 0, 'the weaker strays are pushed down');
      tf.dispose([notes, counted, grad]);
    });
  });

  it('below the tolerance it pulls: weaker and unused classes of counted bars are pushed up', async () => {
    await withoutLeaks(() => {
      // Guitar bar 0: a held C only (1 class), target 4: mean 1 is below 4·0.8.
      const notes = bars(2, Array.from({ length: 12 }, (_, k) => [0, k, 36, 3] as [number, number, number, number]));
      const counted = tf.tensor2d([[0, 0, 0, 1, 0], [0, 0, 0, 0, 0]]);
      const targets = [null, null, null, 4, null];
      const { loss, means } = pitchClassMatching(notes, counted, targets, 6);
      assert.ok(Math.abs(loss.dataSync()[0]! - (4 * (1 - PITCH_CLASS_TOLERANCE) - 1) / 4) < 1e-6, `loss ${loss.dataSync()[0]}`);
      const grad = tf.grad((x: tf.Tensor) => pitchClassMatching(x as tf.Tensor4D, counted, targets, 6).loss)(notes);
      const g = grad.dataSync();
      const at = (row: number, step: number, pitch: number) => g[((row * STEPS + step) * PITCHES + pitch) * TRACKS + 3]!;
      assert.ok(at(0, 0, 37) < 0 && at(0, 30, 50) < 0, 'cells of unused classes are pulled up (negative slope)');
      assert.ok(at(0, 0, 36) === 0 && at(0, 20, 48) === 0, 'the strongest class is left as it is');
      assert.ok(at(1, 0, 37) === 0, 'an uncounted bar gets nothing');
      tf.dispose([notes, counted, loss, means, grad]);
    });
  });

  it('gradient descent on the loss alone, through binary neurons, silences stray classes until the mean meets the target', async () => {
    // Piano, 4 bars alike: class k (1..11) has k on-cells at logit 0.2 k, everything else is off at -1. Classes 1-5
    // are strays (under 6 cells), weakest first; classes 6-11 are held notes.
    const rows = 4;
    const init = new Float32Array(rows * STEPS * PITCHES * TRACKS).fill(-1);
    for (let row = 0; row < rows; row++) for (let k = 1; k < 12; k++) for (let c = 0; c < k; c++) init[((row * STEPS + c) * PITCHES + 36 + k) * TRACKS + 2] = 0.2 * k;
    const logits = tf.variable(tf.tensor4d(init, [rows, STEPS, PITCHES, TRACKS]));
    const counted = tf.tidy(() => tf.tile(tf.tensor2d([[0, 0, 1, 0, 0]]), [rows, 1]) as tf.Tensor2D);
    const targets = [null, null, 8 / (1 + PITCH_CLASS_TOLERANCE), null, null]; // the loss pushes down to 8
    const run = () => pitchClassMatching(generatorOutput(logits as tf.Tensor4D, 'binary'), counted, targets, 6);
    const meanNow = () => tf.tidy(() => run().means.dataSync()[2]!);
    assert.equal(meanNow(), 11);
    // Plain SGD: momentum would carry on past the target after the gradient stops.
    const optimizer = tf.train.sgd(40);
    for (let i = 0; i < 80; i++) tf.tidy(() => void optimizer.minimize(() => run().loss));
    assert.equal(meanNow(), 8, 'the three weakest strays went');
    // Every held note is still on.
    const on = tf.tidy(() => tf.greater(logits, 0).dataSync());
    for (let k = 6; k < 12; k++) for (let c = 0; c < k; c++) assert.equal(on[((0 * STEPS + c) * PITCHES + 36 + k) * TRACKS + 2], 1, `class ${k} cell ${c}`);
    tf.dispose([logits, counted]);
    optimizer.dispose();
  });
});
