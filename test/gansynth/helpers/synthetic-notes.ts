/**
 * A small note dataset rendered on the spot: harmonic tones with decaying envelopes, one "instrument" per harmonic
 * recipe, at a few pitches, turned into IF-Mel images with the spectral layer. Real audio, no fixtures on disk.
 */
import { audioToIfMel } from '../../../server/spectral/ifmel.js';
import { getSpectralPreset, type SpectralPreset } from '../../../server/spectral/presets.js';
import type { NoteImageSet } from '../../../server/gansynth/note-dataset.js';
import type { RealNote } from '../../../server/gansynth/eval/evaluate.js';

export const SYNTH_INSTRUMENTS: Record<string, number[]> = {
  flute: [1, 0.2, 0.05],
  reed: [1, 0, 0.6, 0, 0.4, 0, 0.25],
  brass: [1, 0.8, 0.6, 0.5, 0.4, 0.3],
};

export function toneAudio(midiPitch: number, harmonics: number[], preset: SpectralPreset, decayPerSecond = 3): Float32Array {
  const hz = 440 * 2 ** ((midiPitch - 69) / 12);
  const out = new Float32Array(preset.samples);
  for (let i = 0; i < out.length; i++) {
    const t = i / preset.sampleRate;
    const envelope = Math.min(1, t / 0.01) * Math.exp(-decayPerSecond * t);
    let v = 0;
    harmonics.forEach((a, h) => {
      if (hz * (h + 1) < preset.sampleRate / 2) v += a * Math.sin(2 * Math.PI * hz * (h + 1) * t);
    });
    out[i] = 0.3 * envelope * v;
  }
  return out;
}

export function syntheticNotes(midiPitches: number[], presetName = 'tiny'): { realNotes: RealNote[]; data: NoteImageSet } {
  const preset = getSpectralPreset(presetName);
  const realNotes: RealNote[] = [];
  for (const [instrument, harmonics] of Object.entries(SYNTH_INSTRUMENTS)) {
    for (const midiPitch of midiPitches) realNotes.push({ audio: toneAudio(midiPitch, harmonics, preset), midiPitch, instrument });
  }
  const data: NoteImageSet = {
    images: realNotes.map((n) => audioToIfMel(n.audio, preset)),
    midiPitches: realNotes.map((n) => n.midiPitch),
    instruments: realNotes.map((n) => n.instrument),
    families: realNotes.map((n) => n.instrument),
    summary: {
      dir: 'synthetic',
      count: realNotes.length,
      skipped: [],
      midiPitchRange: [Math.min(...midiPitches), Math.max(...midiPitches)],
      instruments: Object.keys(SYNTH_INSTRUMENTS).length,
      manifestSha256: 'synthetic',
    },
  };
  return { realNotes, data };
}
