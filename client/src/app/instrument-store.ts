/**
 * The instrument built on the notes panel, shared with the loops panel: its files, and one Tone.Sampler over its
 * samples made on first use.
 */
import type { Sampler } from 'tone';
import type { BuiltInstrument } from '../notes/instrument-builder.js';
import { loadAudio } from '../audio/audio-loader.js';

export class InstrumentStore {
  private built: BuiltInstrument | null = null;
  private sampler: Promise<Sampler> | null = null;
  private readonly listeners = new Set<(instrument: BuiltInstrument | null) => void>();

  get current(): BuiltInstrument | null {
    return this.built;
  }

  set(instrument: BuiltInstrument): void {
    void this.sampler?.then((s) => s.dispose()).catch(() => undefined);
    this.sampler = null;
    this.built = instrument;
    for (const listener of this.listeners) listener(instrument);
  }

  /** The sampler playing the current instrument (null when none is built). */
  samplerFor(): Promise<Sampler> | null {
    const built = this.built;
    if (!built) return null;
    this.sampler ??= loadAudio().then((audio) => audio.createSampler(built.samples));
    return this.sampler;
  }

  onChange(listener: (instrument: BuiltInstrument | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
