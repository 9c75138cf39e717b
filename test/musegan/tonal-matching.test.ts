import { strict as assert } from 'node:assert';
import { tf } from '../../server/ml/tf.js';
import { initBackend } from '../../server/ml/backend.js';
import { packPhrases } from '../../server/musegan/phrase-data.js';
import { loopSpecFromPreset } from '../../server/musegan/spec.js';
import { TONAL_DISTANCE_TOLERANCE, dataTonalDistances, tonalDistanceMatching, tonalPairs } from '../../server/musegan/tonal-matching.js';
import { evaluateLoops } from '../../server/music/metrics.js';
import { addNote, emptyRoll, type MultitrackRoll } from '../../server/music/roll.js';
import { withoutLeaks } from './fixtures.js';

const spec = loopSpecFromPreset('tiny');

/** Phrase A: bass C, piano C major, guitar F# (a tritone off), strings silent; phrase B: bass G, piano G, guitar D. */
function phrases(): MultitrackRoll[] {
  const a = emptyRoll();
  addNote(a, { track: 'bass', midiPitch: 36, startStep: 0, endStep: 96 });
  for (const p of [60, 64, 67]) addNote(a, { track: 'piano', midiPitch: p, startStep: 0, endStep: 192 });
  addNote(a, { track: 'guitar', midiPitch: 54, startStep: 12, endStep: 60 });
  const b = emptyRoll();
  addNote(b, { track: 'bass', midiPitch: 43, startStep: 48, endStep: 192 });
  addNote(b, { track: 'piano', midiPitch: 55, startStep: 0, endStep: 30 });
  addNote(b, { track: 'guitar', midiPitch: 62, startStep: 100, endStep: 140 });
  addNote(b, { track: 'drums', midiPitch: 36, startStep: 0 });
  return [a, b];
}

const asTensor = (rolls: MultitrackRoll[]) =>
  tf.tensor4d(Float32Array.from(rolls.flatMap((r) => Array.from(r.data))), [rolls.length * spec.bars, spec.stepsPerBar, spec.pitchCount, spec.tracks.length]);

describe('musegan tonal-distance matching', () => {
  before(async () => {
    await initBackend();
  });

  it("the data's targets and the batch means are the eval's tonal distance, pair by pair", async () => {
    const rolls = phrases();
    const metric = evaluateLoops(rolls).tonalDistance;
    const pairs = tonalPairs(spec).map(([a, b]) => `${spec.tracks[a]}-${spec.tracks[b]}`);
    assert.deepEqual(pairs, Object.keys(metric));
    const targets = dataTonalDistances(packPhrases(rolls.map((r) => r.data)), spec);
    await withoutLeaks(() => {
      const roll = asTensor(rolls);
      const { loss, means } = tonalDistanceMatching(roll, spec, targets);
      const m = means.dataSync();
      pairs.forEach((pair, i) => {
        const expected = metric[pair];
        if (expected === null) assert.ok(targets[i] === null && Number.isNaN(m[i]!), `${pair}: never together`);
        else assert.ok(Math.abs(targets[i]! - expected) < 1e-9 && Math.abs(m[i]! - expected) < 1e-4, `${pair}: ${targets[i]} / ${m[i]} vs ${expected}`);
      });
      assert.equal(loss.dataSync()[0], 0, 'the data against itself: nothing to push');
      tf.dispose([roll, loss, means]);
    });
  });

  it('pushes a pair whose mean is above the target plus slack, toward the other track\'s pitch classes', async () => {
    const rolls = phrases();
    const pairs = tonalPairs(spec).map(([a, b]) => `${spec.tracks[a]}-${spec.tracks[b]}`);
    const metric = evaluateLoops(rolls).tonalDistance;
    const pianoGuitar = pairs.indexOf('piano-guitar');
    const target = metric['piano-guitar']! / 2;
    const targets = pairs.map((_, i) => (i === pianoGuitar ? target : null));
    await withoutLeaks(() => {
      const roll = asTensor(rolls);
      const { loss, means } = tonalDistanceMatching(roll, spec, targets);
      const expected = (metric['piano-guitar']! - target * (1 + TONAL_DISTANCE_TOLERANCE)) / target;
      assert.ok(Math.abs(loss.dataSync()[0]! - expected) < 1e-4, `loss ${loss.dataSync()[0]} vs ${expected}`);
      const grad = tf.grad((x: tf.Tensor) => tonalDistanceMatching(x as tf.Tensor4D, spec, targets).loss)(roll);
      const g = grad.dataSync();
      const cell = (step: number, midi: number, track: number) => g[(step * spec.pitchCount + (midi - spec.lowestPitch)) * spec.tracks.length + track]!;
      const guitar = spec.tracks.indexOf('guitar');
      // In phrase A's beat 1 (steps 12-23) the guitar's F# sits against C major: a G there (in the chord) lowers the
      // loss (negative slope), a second F# raises it.
      assert.ok(cell(12, 55, guitar) < 0, `G: ${cell(12, 55, guitar)}`);
      assert.ok(cell(12, 54, guitar) > 0 || cell(12, 54, guitar) > cell(12, 55, guitar), `F#: ${cell(12, 54, guitar)}`);
      // Drums and beats where the pair does not sound together get nothing.
      assert.equal(cell(0, 36, spec.tracks.indexOf('drums')), 0);
      assert.equal(cell(150, 55, guitar), 0);
      tf.dispose([roll, loss, means, grad]);
    });
  });

  it('pushes a pair below the target minus slack back up, and leaves one within the slack alone', async () => {
    const rolls = phrases();
    const pairs = tonalPairs(spec).map(([a, b]) => `${spec.tracks[a]}-${spec.tracks[b]}`);
    const measured = evaluateLoops(rolls).tonalDistance['piano-guitar']!;
    const only = (target: number) => pairs.map((p) => (p === 'piano-guitar' ? target : null));
    await withoutLeaks(() => {
      const roll = asTensor(rolls);
      const target = measured * 2;
      const below = tonalDistanceMatching(roll, spec, only(target));
      const expected = (target * (1 - TONAL_DISTANCE_TOLERANCE) - measured) / target;
      assert.ok(Math.abs(below.loss.dataSync()[0]! - expected) < 1e-4, `loss ${below.loss.dataSync()[0]} vs ${expected}`);
      const withinAbove = tonalDistanceMatching(roll, spec, only(measured / (1 + TONAL_DISTANCE_TOLERANCE / 2)));
      const withinBelow = tonalDistanceMatching(roll, spec, only(measured / (1 - TONAL_DISTANCE_TOLERANCE / 2)));
      assert.deepEqual([withinAbove.loss.dataSync()[0], withinBelow.loss.dataSync()[0]], [0, 0]);
      // Below the band the slope runs the other way: the F# against C major (phrase A, beat 1) now lowers the loss.
      const grad = tf.grad((x: tf.Tensor) => tonalDistanceMatching(x as tf.Tensor4D, spec, only(target)).loss)(roll);
      const g = grad.dataSync();
      const guitar = spec.tracks.indexOf('guitar');
      const cell = (step: number, midi: number) => g[(step * spec.pitchCount + (midi - spec.lowestPitch)) * spec.tracks.length + guitar]!;
      assert.ok(cell(12, 55) > 0, `G: ${cell(12, 55)}`);
      tf.dispose([roll, grad, ...[below, withinAbove, withinBelow].flatMap((r) => [r.loss, r.means])]);
    });
  });
  it('with given tracks, holds pairs of generated tracks and pairs with one given track to the target apart, and leaves given pairs out', async () => {
    const rolls = phrases();
    const pairs = tonalPairs(spec).map(([a, b]) => `${spec.tracks[a]}-${spec.tracks[b]}`);
    const inA = evaluateLoops([rolls[0]!]).tonalDistance['bass-guitar']!;
    const inB = evaluateLoops([rolls[1]!]).tonalDistance['bass-guitar']!;
    const target = Math.min(inA, inB) / 2;
    const only = pairs.map((p) => (p === 'bass-guitar' ? target : null));
    const index = pairs.indexOf('bass-guitar');
    const over = (td: number) => (td - target * (1 + TONAL_DISTANCE_TOLERANCE)) / target;
    const mask = (givenInA: string[]) => tf.tensor2d([spec.tracks.map((t) => (givenInA.includes(t) ? 1 : 0)), spec.tracks.map(() => 0)]);
    await withoutLeaks(() => {
      const roll = asTensor(rolls);
      // Phrase A's guitar given: A's pair counts as one given, B's as two generated; the mean reported is B's.
      const guitarGiven = mask(['guitar']);
      const split = tonalDistanceMatching(roll, spec, only, guitarGiven);
      assert.ok(Math.abs(split.means.dataSync()[index]! - inB) < 1e-4, `${split.means.dataSync()[index]} vs ${inB}`);
      assert.ok(Math.abs(split.loss.dataSync()[0]! - (over(inA) + over(inB))) < 1e-4, `${split.loss.dataSync()[0]} vs ${over(inA) + over(inB)}`);
      // Both of phrase A's tracks given: its pair is the data's own and drops out.
      const bothGiven = mask(['bass', 'guitar']);
      const left = tonalDistanceMatching(roll, spec, only, bothGiven);
      assert.ok(Math.abs(left.loss.dataSync()[0]! - over(inB)) < 1e-4, `${left.loss.dataSync()[0]} vs ${over(inB)}`);
      tf.dispose([roll, guitarGiven, bothGiven, split.loss, split.means, left.loss, left.means]);
    });
  });
});
