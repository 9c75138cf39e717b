// Real instrument notes for tests, rendered from the shipped SoundFont (fast: a few ms a note).
import { loadSoundBank, resolveSoundFont } from '../../server/data/notes/fonts.js';
import { NoteRenderer } from '../../server/data/notes/render.js';

/** SOURCES.md's 20 GM programs in tune on all keys 24-84 (MuseScore_General_Lite). */
export const TUNED_PROGRAMS = [0, 4, 12, 19, 24, 25, 27, 32, 33, 38, 40, 42, 48, 56, 57, 60, 65, 71, 73, 81];

let renderer: NoteRenderer | null = null;

/** A note at 16 kHz, held for 3/4 of its length, at a fixed gain of 4 (the fonts render quietly). */
export async function renderTestNote(program: number, pitch: number, seconds = 1, velocity = 100): Promise<Float32Array> {
  renderer ??= new NoteRenderer(loadSoundBank(resolveSoundFont('MuseScore_General_Lite')));
  return renderer.render({ program, pitch, velocity, seconds, holdSeconds: seconds * 0.75, sampleRate: 16000, gain: 4 });
}

export function sine(hz: number, sampleRate: number, samples: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return out;
}

export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, to - from));
}

export function peak(x: Float32Array): number {
  let p = 0;
  for (let i = 0; i < x.length; i++) p = Math.max(p, Math.abs(x[i]!));
  return p;
}
