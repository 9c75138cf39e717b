/**
 * Audio stems of a loop: each track rendered alone through a General MIDI SoundFont (the one the note data uses,
 * via spessasynth_core), plus their mix, as WAV files a DAW can drop on its timeline.
 *
 * Each stem is exactly the loop's length and loops seamlessly: the loop is rendered twice in a row and the second
 * pass is kept, so notes ringing over the loop's end (releases, cymbals) are heard at its start, as they would be
 * when the loop repeats. Same roll, same options: same samples.
 */
import { SpessaLog, SpessaSynthProcessor, type BasicSoundBank } from 'spessasynth_core';
import { DEFAULT_SOUND_FONT, loadSoundBank, resolveSoundFont } from '../data/notes/fonts.js';
import { encodeWav } from '../audio/wav.js';
import { DEFAULT_PROGRAMS, DRUM_CHANNEL, TRACK_FAMILIES, type TrackFamily } from '../music/families.js';
import { rollSteps, trackIsEmpty, type MultitrackRoll } from '../music/roll.js';
import { defaultVelocity } from '../music/velocity.js';
import { StudioError } from '../util/errors.js';

export interface StemOptions {
  sampleRate: number;
  /** A built-in SoundFont name or a .sf2/.sf3 path. */
  soundFont: string;
  /** GM program per pitched family. */
  programs: Record<TrackFamily, number>;
  /** Linear gain on every stem (the fonts render quietly); the mix is scaled down further only if it would clip. */
  gain: number;
  /** Also write mix.wav. */
  mix: boolean;
}

export const STEM_DEFAULTS: StemOptions = { sampleRate: 44100, soundFont: DEFAULT_SOUND_FONT, programs: { ...DEFAULT_PROGRAMS }, gain: 3, mix: true };

interface NoteEvent {
  sample: number;
  on: boolean;
  pitch: number;
  velocity: number;
}

// spessasynth updates envelopes once per process() call and is tuned to Web Audio's 128-sample quantum.
const BLOCK = 128;

/** WAV files (stereo, 16-bit) keyed `<family>.wav` for every non-empty track, plus `mix.wav`. */
export async function renderStems(roll: MultitrackRoll, options: Partial<StemOptions> = {}): Promise<Record<string, Uint8Array>> {
  const o = { ...STEM_DEFAULTS, ...options, programs: { ...STEM_DEFAULTS.programs, ...options.programs } };
  if (!Number.isInteger(o.sampleRate) || o.sampleRate < 8000 || o.sampleRate > 192000) throw new StudioError('BAD_INPUT', `stem sample rate must be 8000-192000, got ${o.sampleRate}`);
  const bank = loadSoundBank(resolveSoundFont(o.soundFont));
  SpessaLog.infoEnabled = false;
  SpessaLog.warnEnabled = false;
  const loopSamples = Math.round((rollSteps(roll) / roll.stepsPerBar) * roll.beatsPerBar * (60 / roll.tempoBpm) * o.sampleRate);
  const files: Record<string, Uint8Array> = {};
  const stems: Float32Array[][] = [];
  for (const family of TRACK_FAMILIES) {
    if (trackIsEmpty(roll, family)) continue;
    const stem = await renderTrack(bank, roll, family, loopSamples, o);
    stems.push(stem);
    files[`${family}.wav`] = encodeWav(stem, { sampleRate: o.sampleRate, bitDepth: 16 });
  }
  if (o.mix && stems.length > 0) {
    const mix = [new Float32Array(loopSamples), new Float32Array(loopSamples)];
    for (const stem of stems) for (let c = 0; c < 2; c++) for (let i = 0; i < loopSamples; i++) mix[c]![i]! += stem[c]![i]!;
    let peak = 0;
    for (const channel of mix) for (const v of channel) peak = Math.max(peak, Math.abs(v));
    if (peak > 0.99) for (const channel of mix) for (let i = 0; i < channel.length; i++) channel[i]! *= 0.99 / peak;
    files['mix.wav'] = encodeWav(mix, { sampleRate: o.sampleRate, bitDepth: 16 });
  }
  return files;
}

/** Note-on/off events of one track over two passes of the loop, in sample order (offs before ons at a tie). */
function trackEvents(roll: MultitrackRoll, family: TrackFamily, loopSamples: number): NoteEvent[] {
  const t = TRACK_FAMILIES.indexOf(family);
  const steps = rollSteps(roll);
  const samplesPerStep = loopSamples / steps;
  const cell = (s: number, p: number) => (s * roll.pitchCount + p) * TRACK_FAMILIES.length + t;
  const events: NoteEvent[] = [];
  for (let p = 0; p < roll.pitchCount; p++) {
    const pitch = roll.lowestPitch + p;
    for (let s = 0; s < steps; ) {
      if (roll.data[cell(s, p)] !== 1) {
        s++;
        continue;
      }
      // A run of on-cells is one note (a drum hit sounds from its start; drum sounds ignore the note-off).
      let end = s;
      while (end < steps && roll.data[cell(end, p)] === 1) end++;
      const velocity = roll.velocities?.[cell(s, p)] || defaultVelocity(family, s % roll.stepsPerBar, roll.stepsPerBar, roll.beatsPerBar);
      for (let pass = 0; pass < 2; pass++) {
        events.push({ sample: pass * loopSamples + Math.round(s * samplesPerStep), on: true, pitch, velocity });
        events.push({ sample: pass * loopSamples + Math.round(end * samplesPerStep), on: false, pitch, velocity: 0 });
      }
      s = end;
    }
  }
  return events.sort((a, b) => a.sample - b.sample || Number(a.on) - Number(b.on));
}

async function renderTrack(bank: BasicSoundBank, roll: MultitrackRoll, family: TrackFamily, loopSamples: number, o: StemOptions): Promise<Float32Array[]> {
  const synth = new SpessaSynthProcessor(o.sampleRate, { effectsEnabled: false, eventsEnabled: false, maxBufferSize: BLOCK });
  synth.soundBankManager.addSoundBank(bank, 'main');
  await synth.processorInitialized;
  const channel = family === 'drums' ? DRUM_CHANNEL : 0;
  if (family !== 'drums') synth.programChange(channel, o.programs[family]);
  const total = 2 * loopSamples;
  const left = new Float32Array(total);
  const right = new Float32Array(total);
  const events = trackEvents(roll, family, loopSamples);
  let at = 0;
  let next = 0;
  while (at < total) {
    while (next < events.length && events[next]!.sample <= at) {
      const e = events[next++]!;
      if (e.on) synth.noteOn(channel, e.pitch, e.velocity);
      else synth.noteOff(channel, e.pitch);
    }
    const until = Math.min(total, at + BLOCK, next < events.length ? events[next]!.sample : total);
    synth.process(left, right, at, until - at);
    at = until;
  }
  return [left, right].map((ch) => {
    const out = ch.slice(loopSamples, total);
    for (let i = 0; i < out.length; i++) out[i]! *= o.gain;
    return out;
  });
}
