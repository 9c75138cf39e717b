/**
 * What the trainer looks at each checkpoint besides losses: preview notes (fixed latent, a few pitches, as WAVs a
 * person can listen to) and sample diversity against the data (the mode-collapse alarm).
 */
import type { ParamStore } from '../ml/params.js';
import { decodeGeneratedNote } from './decode-note.js';
import { encodeWav } from '../audio/wav.js';
import { generateImages } from './generator.js';
import { diversityRatio } from './diversity.js';
import { latentForSeed } from './latent.js';
import { shapeNote } from './note-shape.js';
import { Rng } from '../ml/random.js';
import type { NoteModelSpec } from './spec.js';
import type { NoteImageSet } from './note-dataset.js';

/** Preview WAVs (16-bit, the model's rate) keyed `pitch-060.wav`; the same latent at every checkpoint. */
export function renderPreviews(generator: ParamStore, spec: NoteModelSpec, midiPitches: number[], previewSeed = 0): Record<string, Uint8Array> {
  const pitches = midiPitches.filter((p) => p >= spec.midiPitchMin && p <= spec.midiPitchMax);
  const latent = latentForSeed(previewSeed, spec.latentSize);
  const images = generateImages(generator, spec, pitches.map(() => latent), pitches);
  const out: Record<string, Uint8Array> = {};
  images.forEach((image, i) => {
    const audio = shapeNote(decodeGeneratedNote(image, spec.spectral), spec.spectral.sampleRate);
    out[`pitch-${String(pitches[i]).padStart(3, '0')}.wav`] = encodeWav(audio, { sampleRate: spec.spectral.sampleRate, bitDepth: 16 });
  });
  return out;
}

/** Log-magnitude channel of a [frames][melBins][2] image: what diversity compares (IF is noise where quiet). */
export function magnitudeChannel(image: Float32Array): Float32Array {
  const out = new Float32Array(image.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = image[2 * i]!;
  return out;
}

/** Real notes per pitch (magnitude channels), at most `perPitch` each, picked evenly through the data. */
export function realNotesByPitch(data: NoteImageSet, midiPitches: number[], perPitch: number): Map<number, Float32Array[]> {
  const out = new Map<number, Float32Array[]>();
  for (const pitch of midiPitches) {
    const indices = data.midiPitches.flatMap((p, i) => (p === pitch ? [i] : []));
    const stride = Math.max(1, Math.floor(indices.length / perPitch));
    const chosen = indices.filter((_, k) => k % stride === 0).slice(0, perPitch);
    if (chosen.length >= 2) out.set(pitch, chosen.map((i) => magnitudeChannel(data.images[i]!)));
  }
  return out;
}

/** Generated-vs-real spread at the pitches in `real`, from `samples` fixed latents each. */
export function measureDiversity(
  generator: ParamStore,
  spec: NoteModelSpec,
  real: Map<number, Float32Array[]>,
  samples: number,
  seed: number,
): { ratio: number; byPitch: Record<number, number> } {
  const rng = new Rng(`diversity:${seed}`);
  const latents = Array.from({ length: samples }, () => rng.normalArray(spec.latentSize));
  const generated = new Map<number, Float32Array[]>();
  for (const pitch of real.keys()) {
    generated.set(pitch, generateImages(generator, spec, latents, latents.map(() => pitch)).map(magnitudeChannel));
  }
  return diversityRatio(generated, real);
}
