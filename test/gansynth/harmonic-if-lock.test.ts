import { strict as assert } from 'node:assert';
import { tf } from '../../server/ml/tf.js';
import { initBackend } from '../../server/ml/backend.js';
import { noteModelSpec, parseNoteModelSpec } from '../../server/gansynth/spec.js';
import { pitchOneHot } from '../../server/gansynth/generator.js';
import { HIGHEST_PARTIAL, harmonicIfTargets, lockHarmonicIf } from '../../server/gansynth/harmonic-if-lock.js';
import { checkPitch } from '../../server/gansynth/eval/pitch-accuracy.js';
import { audioToIfMel, ifMelToAudio, presetFilterbank } from '../../server/spectral/ifmel.js';
import { midiToHz as hz } from '../../server/audio/f0.js';

const spec = noteModelSpec('lite');
const s = spec.spectral;

/** A decaying tone: partials k * f0 with amplitudes 1/k^1.5 and assorted phases. */
function tone(f0: number): Float32Array {
  const out = new Float32Array(s.samples);
  for (let k = 1; k * f0 < s.sampleRate / 2; k++) {
    const w = (2 * Math.PI * k * f0) / s.sampleRate;
    for (let i = 0; i < out.length; i++) out[i]! += (0.3 / k ** 1.5) * Math.sin(w * i + k) * Math.exp(-i / s.sampleRate);
  }
  return out;
}

function locked(image: Float32Array, midi: number): Float32Array {
  return tf.tidy(() => lockHarmonicIf(spec, tf.tensor4d(image, [1, s.frames, s.melBins, 2]), pitchOneHot(spec, [midi])).dataSync() as Float32Array);
}

describe('gansynth harmonic IF lock', () => {
  before(async () => {
    await initBackend();
  });

  it('new specs have it; a spec.json written before it loads without', () => {
    for (const preset of ['tiny', 'lite', 'paper']) assert.equal(noteModelSpec(preset).generator.harmonicIfLock, true);
    const older = JSON.parse(JSON.stringify(spec)) as { generator: Record<string, unknown> };
    delete older.generator.harmonicIfLock;
    assert.equal(parseNoteModelSpec(older).generator.harmonicIfLock, false);
  });

  it("locks only bands below the 16th partial where the pitch's template is loud", () => {
    const { mask } = harmonicIfTargets(spec);
    const { centerHz } = presetFilterbank(s);
    for (const midi of [24, 48, 84]) {
      const row = mask.subarray((midi - 24) * s.melBins, (midi - 23) * s.melBins);
      const bands = [...row.keys()].filter((m) => row[m] === 1);
      assert.ok(bands.length >= 10, `MIDI ${midi}: ${bands.length} bands`);
      assert.ok(bands.every((m) => centerHz[m]! < (HIGHEST_PARTIAL + 0.5) * hz(midi)));
    }
  });

  it('sets the IF of those bands on frames 1.. and nothing else; gradients reach everything it keeps', () => {
    const midi = 40;
    const image = audioToIfMel(tone(hz(midi)), s).map((v, i) => (i % 2 === 1 ? v * 0.5 - 0.2 : v)); // IF made wrong
    const out = locked(image, midi);
    const { mask, frequency } = harmonicIfTargets(spec);
    const row = (midi - 24) * s.melBins;
    for (let f = 0; f < s.frames; f++) {
      for (let m = 0; m < s.melBins; m++) {
        const at = (f * s.melBins + m) * 2;
        assert.equal(out[at], image[at], 'magnitudes pass through');
        const lockedHere = f > 0 && mask[row + m] === 1;
        assert.ok(Math.abs(out[at + 1]! - (lockedHere ? frequency[row + m]! : image[at + 1]!)) < 1e-6, `frame ${f} band ${m}`);
      }
    }
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const grad = tf.grad((x: tf.Tensor) => tf.sum(lockHarmonicIf(spec, x as tf.Tensor4D, pitchOneHot(spec, [midi]))))(tf.tensor4d(image, [1, s.frames, s.melBins, 2])).dataSync();
      for (let i = 0; i < grad.length; i++) {
        const [f, m, channel] = [Math.floor(i / 2 / s.melBins), Math.floor(i / 2) % s.melBins, i % 2];
        assert.equal(grad[i], channel === 1 && f > 0 && mask[row + m] === 1 ? 0 : 1, `gradient at frame ${f} band ${m} channel ${channel}`);
      }
    });
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  });

  it('pulls an out-of-tune note to the requested pitch', () => {
    for (const midi of [28, 40, 57]) {
      const flat = audioToIfMel(tone(hz(midi - 0.7)), s); // 70 cents flat: outside the +-50 cent tolerance
      assert.equal(checkPitch(ifMelToAudio(flat, s), s.sampleRate, midi).correct, false, `MIDI ${midi} starts out of tune`);
      const fixed = checkPitch(ifMelToAudio(locked(flat, midi), s), s.sampleRate, midi);
      assert.ok(fixed.correct, `MIDI ${midi} locked: ${fixed.cents} cents`);
    }
  });
});
