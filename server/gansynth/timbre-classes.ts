/**
 * Timbre classes: the instruments (or instrument families) of the training data, read off the timbre latent.
 *
 * A GAN free to place instruments anywhere in its latent space drops some and doubles others: notes-default
 * (pitch-only conditioning) never made the default set's marimba, synth lead or electric piano and made guitar at
 * six times its share (NDB/k 0.48 against 0.06 for real notes). Here the first C latent components name a class,
 * one-hot(argmax(z[0:C] + offsets)), which the generator reads beside z and the pitch, and the discriminator gets
 * an auxiliary head that names the instrument of real notes (AC-GAN, like the pitch head), whose cross-entropy on
 * fakes the generator minimises. A standard normal latent then lands in each class as often as the data has it,
 * by construction, and nothing changes for the user: a seed still fixes the timbre across pitches, and latent
 * files stay latentSize numbers.
 */
import { tf } from '../ml/tf.js';
import { Rng } from '../ml/random.js';
import { StudioError } from '../util/errors.js';
import type { NoteModelSpec, TimbreClasses } from './spec.js';

export const TIMBRE_CLASS_SOURCES = ['auto', 'instrument', 'family', 'none'] as const;
export type TimbreClassSource = (typeof TIMBRE_CLASS_SOURCES)[number];

/** More classes than this and a class is too rare to learn in a `lite` run (and NSynth's 1,006 instruments fall back to its 11 families). */
export const MAX_TIMBRE_CLASSES = 64;

/** Per-note labels of a dataset, as load-notes.ts reads them from the manifest. */
export interface TimbreLabelledNotes {
  instruments: string[];
  families: string[];
}

/**
 * The classes a new run conditions on. `auto`: the instruments when there are 2..MAX of them (and no more than the
 * latent has components), else the families, else none. Class order is sorted, so the same data gives the same spec.
 */
export function chooseTimbreClasses(notes: TimbreLabelledNotes, latentSize: number, source: TimbreClassSource = 'auto'): TimbreClasses | null {
  if (source === 'none') return null;
  const limit = Math.min(MAX_TIMBRE_CLASSES, latentSize);
  const candidates: ('instrument' | 'family')[] = source === 'auto' ? ['instrument', 'family'] : [source];
  for (const by of candidates) {
    const labels = by === 'instrument' ? notes.instruments : notes.families;
    const counts = new Map<string, number>();
    for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
    const classes = [...counts.keys()].sort();
    if (classes.length >= 2 && classes.length <= limit) {
      return { by, classes, offsets: classOffsets(classes.map((c) => counts.get(c)! / labels.length)) };
    }
    if (source !== 'auto') {
      throw new StudioError('BAD_INPUT', `--timbre-classes ${by}: the data has ${classes.length} ${by} label(s); conditioning needs 2 to ${limit}`);
    }
  }
  return null;
}

/** Class index of every note of a dataset under `timbre` (a label outside the classes is an error: wrong data for a resume). */
export function timbreLabelsOf(timbre: TimbreClasses, notes: TimbreLabelledNotes): number[] {
  const labels = timbre.by === 'instrument' ? notes.instruments : notes.families;
  const index = new Map(timbre.classes.map((c, i) => [c, i]));
  return labels.map((label) => {
    const i = index.get(label);
    if (i === undefined) throw new StudioError('BAD_INPUT', `the data has ${timbre.by} "${label}", which this model's timbre classes do not include`);
    return i;
  });
}

/** latents [b, latentSize] -> one-hot timbre classes [b, C], or null when the spec has none. */
export function timbreCode(spec: NoteModelSpec, latents: tf.Tensor2D): tf.Tensor2D | null {
  const timbre = spec.timbreClasses;
  if (!timbre) return null;
  return tf.tidy(() => {
    const c = timbre.classes.length;
    const scores = tf.add(tf.slice(latents, [0, 0], [-1, c]), tf.tensor1d(timbre.offsets));
    return tf.oneHot(tf.argMax(scores, 1), c).toFloat() as tf.Tensor2D;
  });
}

/** The class a JS-side latent generates (the same argmax as timbreCode), or -1 when the spec has none. */
export function timbreClassOf(spec: NoteModelSpec, latent: Float32Array): number {
  const timbre = spec.timbreClasses;
  if (!timbre) return -1;
  let best = 0;
  for (let i = 1; i < timbre.classes.length; i++) if (latent[i]! + timbre.offsets[i]! > latent[best]! + timbre.offsets[best]!) best = i;
  return best;
}

/**
 * The latent with its class set to `name`: the class component swaps places with the winning one. A permutation of
 * independent normal components is still a standard normal latent, so the note stays typical.
 */
export function withTimbreClass(spec: NoteModelSpec, latent: Float32Array, name: string): Float32Array {
  const timbre = spec.timbreClasses;
  if (!timbre) throw new StudioError('BAD_INPUT', 'this model has no timbre classes (it was trained without instrument labels)');
  const wanted = timbre.classes.indexOf(name);
  if (wanted < 0) throw new StudioError('BAD_INPUT', `unknown instrument "${name}"; this model knows ${timbre.classes.join(', ')}`);
  const out = Float32Array.from(latent);
  const current = timbreClassOf(spec, out);
  if (current === wanted) return out;
  // Swap the values, then lift the wanted one past the winner if the offsets still favour the old class.
  [out[current], out[wanted]] = [out[wanted]!, out[current]!];
  const margin = out[current]! + timbre.offsets[current]! - (out[wanted]! + timbre.offsets[wanted]!);
  if (margin >= 0) out[wanted] = out[wanted]! + margin + 1e-3;
  return out;
}

/**
 * Offsets b with P(argmax(z + b) = c) ≈ share_c for z standard normal: zero for balanced data; otherwise a few
 * hundred fixed-point steps b += log(share / estimated) on a fixed Monte Carlo sample, so the result is repeatable.
 */
export function classOffsets(shares: number[]): number[] {
  const c = shares.length;
  const min = Math.min(...shares);
  const max = Math.max(...shares);
  if (max <= min * 1.02) return new Array<number>(c).fill(0);
  const samples = 20000;
  const z = new Rng('timbre-offsets').normalArray(samples * c);
  const b = shares.map((s) => Math.log(s * c));
  for (let iteration = 0; iteration < 200; iteration++) {
    const hits = new Float64Array(c);
    for (let s = 0; s < samples; s++) {
      let best = 0;
      for (let i = 1; i < c; i++) if (z[s * c + i]! + b[i]! > z[s * c + best]! + b[best]!) best = i;
      hits[best]!++;
    }
    for (let i = 0; i < c; i++) b[i] = b[i]! + 0.5 * Math.log(shares[i]! / Math.max(hits[i]! / samples, 0.5 / samples));
  }
  const mean = b.reduce((a, v) => a + v, 0) / c;
  return b.map((v) => Number((v - mean).toFixed(4)));
}
