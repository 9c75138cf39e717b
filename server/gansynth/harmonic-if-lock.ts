/**
 * The harmonic IF lock: the generator's last, fixed layer. In the bands where the requested pitch's first partials
 * fall, it sets the instantaneous frequency to the harmonic template's (pitch-maps.ts), the phase advance of partials
 * at exact multiples of f0; magnitudes, and the IF of every other band, stay the network's.
 *
 * Why: a pitch is heard (and measured, YIN) from the period of the waveform, which the low partials' IF sets, and for
 * low notes that IF must be exact: at MIDI 24 (32.7 Hz) ±50 cents is ±1 Hz, a phase advance of ±0.1 rad per hop,
 * ±0.03 in IF-Mel units. The adversarial and pitch-class losses did not get there on CPU budgets: the `lite` model
 * at 6,500 steps missed every note from MIDI 24 to 32, heard at a harmonic (+12, +19, +24 semitones). Putting the
 * template's IF in these bands of that model's own output raised MIDI 24-50 from 52% to 85% in pitch, where forcing
 * the partials' magnitudes to the data's per-pitch means gave 65 -> 71%; an IF loss toward the template (weight 10)
 * took its error from 0.35 to 0.26 in 500 fine-tuning steps without changing pitch accuracy. Real notes agree with the
 * template there (mean 1 - cos of the IF difference 0.04-0.06 for MIDI 33-59), so the critic sees nothing foreign.
 * Bands above the 16th partial hold several partials each, where an ideal tone's IF says little about a real
 * instrument's: they stay the network's.
 */
import { tf } from '../ml/tf.js';
import { HARMONIC_TEMPLATE_CHANNELS, harmonicTemplates } from '../spectral/harmonic-template.js';
import { presetFilterbank } from '../spectral/ifmel.js';
import { midiToHz } from '../audio/f0.js';
import { pitchCount, type NoteModelSpec } from './spec.js';

/** Partials locked: bands centred below (HIGHEST_PARTIAL + 0.5) x f0. */
export const HIGHEST_PARTIAL = 16;
/** A band is locked when the template's log magnitude there is within this of its loudest band in that range. */
export const PARTIAL_BAND_MARGIN = 0.5;

/** Per pitch, [pitches, melBins] each: which bands are locked (1/0), and the template's IF there. */
export interface HarmonicIfTargets {
  mask: Float32Array;
  /** IF in IF-Mel units ([-1, 1], phase advance / pi). */
  frequency: Float32Array;
}

const cache = new Map<string, HarmonicIfTargets>();

export function harmonicIfTargets(spec: NoteModelSpec): HarmonicIfTargets {
  const s = spec.spectral;
  const key = `${JSON.stringify(s)}:${spec.midiPitchMin}:${spec.midiPitchMax}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const bands = s.melBins;
  const { centerHz } = presetFilterbank(s);
  const table = harmonicTemplates(s, spec.midiPitchMin, spec.midiPitchMax);
  const pitches = pitchCount(spec);
  const mask = new Float32Array(pitches * bands);
  const frequency = new Float32Array(pitches * bands);
  for (let i = 0; i < pitches; i++) {
    const f0 = midiToHz(spec.midiPitchMin + i);
    const inRange = (m: number) => centerHz[m]! < (HIGHEST_PARTIAL + 0.5) * f0;
    const at = (m: number, channel: number) => table[(i * bands + m) * HARMONIC_TEMPLATE_CHANNELS + channel]!;
    let loudest = -Infinity;
    for (let m = 0; m < bands; m++) if (inRange(m)) loudest = Math.max(loudest, at(m, 0));
    for (let m = 0; m < bands; m++) {
      mask[i * bands + m] = inRange(m) && at(m, 0) > loudest - PARTIAL_BAND_MARGIN ? 1 : 0;
      frequency[i * bands + m] = Math.atan2(at(m, 2), at(m, 1)) / Math.PI;
    }
  }
  const targets = { mask, frequency };
  cache.set(key, targets);
  return targets;
}

/**
 * images [b, frames, melBins, 2] (channel 1 = IF) at pitches given as one-hot rows [b, pitches] -> the same with the
 * locked bands' IF replaced on frames 1.. (frame 0's IF is the frame's phase, not an advance). The gradient flows to
 * the magnitudes and to the IF of unlocked bands only.
 */
export function lockHarmonicIf(spec: NoteModelSpec, images: tf.Tensor4D, pitchOneHot: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, frames, bands] = images.shape;
    const targets = harmonicIfTargets(spec);
    const pitches = pitchOneHot.shape[1];
    const pick = (table: Float32Array) => tf.reshape(tf.matMul(pitchOneHot, tf.tensor2d(table, [pitches, bands])), [batch, 1, bands, 1]);
    const moving = tf.concat([tf.zeros([1, 1, 1, 1]), tf.ones([1, frames - 1, 1, 1])], 1); // [1, frames, 1, 1]
    const locked = tf.mul(pick(targets.mask), moving); // [b, frames, bands, 1]
    const [magnitude, frequency] = tf.split(images, 2, 3);
    const lockedFrequency = tf.add(tf.mul(frequency!, tf.sub(1, locked)), tf.mul(pick(targets.frequency), locked));
    return tf.concat([magnitude!, lockedFrequency], 3) as tf.Tensor4D;
  });
}
