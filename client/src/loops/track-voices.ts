/**
 * The sounds of a loop's tracks: a small synthesized drum kit (General MIDI drum numbers mapped to kick, snare,
 * hats, toms, cymbals) and one polyphonic synth per melodic family, tuned to suggest its General MIDI instrument.
 * Any track can be switched to a sampler (the instrument built on the notes panel).
 */
import * as Tone from 'tone';
import type { TrackName } from '../../../server/protocol.js';

type MelodicTrack = Exclude<TrackName, 'drums'>;

/** The longest release of the melodic synths, seconds: a voice is busy this long after its note ends. */
export const RELEASE_SECONDS = 0.5;

/** Something that plays a pitch for a while at a time: a synth, a sampler. */
export interface PitchedVoice {
  triggerAttackRelease(note: Tone.Unit.Frequency, duration: Tone.Unit.Time, time?: Tone.Unit.Time, velocity?: number): unknown;
}

export class TrackVoices {
  private readonly bus: Tone.Gain;
  private readonly melodic: Record<MelodicTrack, Tone.PolySynth>;
  private readonly overrides = new Map<TrackName, PitchedVoice>();
  private readonly kick: Tone.MembraneSynth;
  private readonly tom: Tone.MembraneSynth;
  private readonly snare: Tone.NoiseSynth;
  private readonly filters: Tone.Filter[] = [];
  private readonly hat: Tone.NoiseSynth;
  private readonly cymbal: Tone.NoiseSynth;

  constructor(output: Tone.InputNode) {
    this.bus = new Tone.Gain(0.7).connect(output);
    const poly = (options: Parameters<Tone.PolySynth<Tone.Synth>['set']>[0], volume: number) => {
      const synth = new Tone.PolySynth(Tone.Synth, options).connect(this.bus);
      synth.maxPolyphony = 32;
      synth.volume.value = volume;
      return synth;
    };
    this.melodic = {
      bass: poly({ oscillator: { type: 'square8' }, envelope: { attack: 0.005, decay: 0.2, sustain: 0.6, release: 0.1 } }, -14),
      piano: poly({ oscillator: { type: 'triangle' }, envelope: { attack: 0.002, decay: 0.8, sustain: 0.2, release: 0.5 } }, -10),
      guitar: poly({ oscillator: { type: 'sawtooth4' }, envelope: { attack: 0.003, decay: 0.3, sustain: 0.15, release: 0.3 } }, -18),
      strings: poly({ oscillator: { type: 'sawtooth' }, envelope: { attack: 0.15, decay: 0.2, sustain: 0.8, release: 0.5 } }, -22),
    };
    this.kick = new Tone.MembraneSynth({ pitchDecay: 0.04, octaves: 6, envelope: { attack: 0.001, decay: 0.35, sustain: 0 } }).connect(this.bus);
    this.kick.volume.value = -4;
    this.tom = new Tone.MembraneSynth({ pitchDecay: 0.06, octaves: 3, envelope: { attack: 0.001, decay: 0.3, sustain: 0 } }).connect(this.bus);
    this.tom.volume.value = -10;
    this.snare = new Tone.NoiseSynth({ noise: { type: 'white' }, envelope: { attack: 0.001, decay: 0.15, sustain: 0 } }).connect(this.bus);
    this.snare.volume.value = -12;
    // Hats and cymbals are high-passed noise: cheap enough for the audio thread of a busy laptop (a MetalSynth's
    // six FM pairs run all the time).
    const bright = new Tone.Filter(7000, 'highpass').connect(this.bus);
    this.hat = new Tone.NoiseSynth({ noise: { type: 'white' }, envelope: { attack: 0.001, decay: 0.05, sustain: 0 } }).connect(bright);
    this.hat.volume.value = -16;
    this.cymbal = new Tone.NoiseSynth({ noise: { type: 'white' }, envelope: { attack: 0.001, decay: 0.7, sustain: 0 } }).connect(bright);
    this.cymbal.volume.value = -22;
    this.filters.push(bright);
  }

  /** Plays `track`'s note; times in seconds of audio-context time. */
  trigger(track: TrackName, midiPitch: number, durationSeconds: number, time: number, velocity: number): void {
    const override = this.overrides.get(track);
    if (override) {
      override.triggerAttackRelease(Tone.Frequency(midiPitch, 'midi').toFrequency(), durationSeconds, time, velocity);
      return;
    }
    if (track === 'drums') {
      this.drum(midiPitch, time, velocity);
      return;
    }
    this.melodic[track].triggerAttackRelease(Tone.Frequency(midiPitch, 'midi').toFrequency(), Math.max(0.03, durationSeconds), time, velocity);
  }

  /** Plays `track` with `voice` instead of its own synth (null: back to the synth). */
  setVoice(track: TrackName, voice: PitchedVoice | null): void {
    if (voice) this.overrides.set(track, voice);
    else this.overrides.delete(track);
  }

  voiceOf(track: TrackName): 'synth' | 'sampler' {
    return this.overrides.has(track) ? 'sampler' : 'synth';
  }

  /** Disconnects and frees every voice (a one-off preview is over). */
  dispose(): void {
    for (const synth of Object.values(this.melodic)) synth.dispose();
    for (const voice of [this.kick, this.tom, this.snare, this.hat, this.cymbal, ...this.filters]) voice.dispose();
    this.bus.dispose();
  }

  /** Silences everything sounding (stop, or a jump in time). */
  releaseAll(): void {
    for (const synth of Object.values(this.melodic)) synth.releaseAll();
  }

  /**
   * Tone's monophonic synths refuse two starts at the same instant (two hats on one step, say): the first hit at a
   * time wins, the others at that time are skipped.
   */
  private readonly lastHit = new Map<object, number>();

  private once(voice: object, time: number): boolean {
    if (this.lastHit.get(voice) !== undefined && Math.abs(this.lastHit.get(voice)! - time) < 1e-6) return false;
    this.lastHit.set(voice, time);
    return true;
  }

  private drum(midiPitch: number, time: number, velocity: number): void {
    const hit = (voice: object) => this.once(voice, time);
    if (midiPitch === 35 || midiPitch === 36) {
      if (hit(this.kick)) this.kick.triggerAttackRelease('C1', 0.3, time, velocity);
    } else if (midiPitch >= 37 && midiPitch <= 40) {
      if (hit(this.snare)) this.snare.triggerAttackRelease(0.12, time, velocity);
    } else if ([41, 43, 45, 47, 48, 50].includes(midiPitch)) {
      if (hit(this.tom)) this.tom.triggerAttackRelease(Tone.Frequency(midiPitch - 12, 'midi').toFrequency(), 0.25, time, velocity);
    } else if ([49, 51, 52, 53, 55, 57, 59].includes(midiPitch)) {
      if (hit(this.cymbal)) this.cymbal.triggerAttackRelease(0.8, time, velocity * 0.8);
    } else if (hit(this.hat)) {
      // Closed and pedal hats short, open hat long; other percussion borrows the hat.
      this.hat.triggerAttackRelease(midiPitch === 46 ? 0.25 : 0.05, time, midiPitch === 42 || midiPitch === 44 || midiPitch === 46 ? velocity : velocity * 0.6);
    }
  }
}
