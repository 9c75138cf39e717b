/**
 * Loops on Tone.js's transport. Each loop is a looping Tone.Part started at a bar line; a swap stops the playing
 * part and starts the next one at the same bar line, both scheduled ahead on the transport's clock, so the change
 * falls exactly on the beat with no gap. Bars are counted from 0 since the transport started. Mute and solo are read
 * when each note fires, so they act at once.
 */
import * as Tone from 'tone';
import type { LoopRollJson, TrackName } from '../../../server/protocol.js';
import { audibleTracks, limitPolyphony, loopEvents, loopLengthTicks, type LoopNoteEvent, type TrackMix } from './loop-events.js';
import { RELEASE_SECONDS, type PitchedVoice, type TrackVoices } from './track-voices.js';

export interface LoopSlot {
  /** The caller's id for this loop; a higher id is a newer loop. */
  id: number;
  roll: LoopRollJson;
  atBar: number;
  part: Tone.Part<TimedNote>;
  /** Audio-context time the slot's bar line was reached (set when it is). */
  startedAt: number | null;
  /** Audio-context time of the slot's first note (set when it fires). */
  firstNoteAt: number | null;
  /** The transport event marking the bar line. */
  markerId: number;
}

export interface SwapEvent {
  id: number;
  atBar: number;
  /** Audio-context time of the bar line. */
  time: number;
}

/** Where played notes also go (a Web MIDI output), with their audio-context times. */
export type NoteTap = (event: LoopNoteEvent, time: number, durationSeconds: number) => void;

/** A note on the part's timeline (`time` in transport ticks, e.g. '96i'). */
interface TimedNote {
  time: string;
  note: LoopNoteEvent;
}

/**
 * Notes of one track held at once, at most, counting release tails: what a player of that part would play, and
 * well below the synths' polyphony. Every voice costs audio-thread time; a dense untrained model's loop played
 * without a limit stalls the page.
 */
export const MAX_VOICES_PER_TRACK: Readonly<Record<TrackName, number>> = { drums: 8, bass: 3, piano: 8, guitar: 6, strings: 6 };

/** Ticks a voice keeps sounding after its note ends, at `tempoBpm` (the longest synth release). */
export function releaseTicks(tempoBpm: number, ppq: number): number {
  return Math.ceil(RELEASE_SECONDS * (tempoBpm / 60) * ppq);
}

const TRACKS: TrackName[] = ['drums', 'bass', 'piano', 'guitar', 'strings'];

export class LoopPlayer {
  private readonly transport = Tone.getTransport();
  private slots: LoopSlot[] = [];
  private mix: TrackMix = { muted: new Set(), soloed: new Set() };
  private readonly swapListeners = new Set<(event: SwapEvent) => void>();
  private tap: NoteTap | null = null;
  private startTime: number | null = null;
  /** Set from play() to stop(): the transport itself reports 'stopped' until its scheduled start time. */
  private running = false;

  constructor(readonly voices: TrackVoices) {}

  get playing(): boolean {
    return this.running;
  }

  get tempoBpm(): number {
    return this.transport.bpm.value;
  }

  get beatsPerBar(): number {
    const signature = this.transport.timeSignature;
    return typeof signature === 'number' ? signature : signature[0] / (signature[1] / 4);
  }

  /** Bars since the transport started (fractional); 0 while stopped. */
  get positionBars(): number {
    return this.transport.ticks / (this.transport.PPQ * this.beatsPerBar);
  }

  /**
   * When the transport reaches `bar`, in audio-context time, assuming the tempo holds until then (tempo changes
   * ride on swaps, so it does up to the next one); null while stopped.
   */
  timeOfBar(bar: number): number | null {
    if (!this.running) return null;
    const now = Tone.now();
    const barNow = this.transport.getTicksAtTime(now) / (this.transport.PPQ * this.beatsPerBar);
    return now + ((bar - barNow) * this.beatsPerBar * 60) / this.transport.bpm.value;
  }

  /** Audio-context time when the transport last started (bar 0). */
  get startedAt(): number | null {
    return this.startTime;
  }

  setMix(mix: TrackMix): void {
    this.mix = mix;
  }

  setVoice(track: TrackName, voice: PitchedVoice | null): void {
    this.voices.setVoice(track, voice);
  }

  setNoteTap(tap: NoteTap | null): void {
    this.tap = tap;
  }

  onSwap(listener: (event: SwapEvent) => void): () => void {
    this.swapListeners.add(listener);
    return () => this.swapListeners.delete(listener);
  }

  /** Changes the tempo now (outside a jam, where tempo changes ride on swaps). */
  setTempo(tempoBpm: number): void {
    this.transport.bpm.value = tempoBpm;
  }

  /**
   * Plays `roll` from bar `atBar` on (from its own beginning, repeating), replacing whatever plays then. Slots
   * scheduled at or after `atBar` are cancelled. The transport takes the loop's tempo at that bar line.
   */
  schedule(id: number, roll: LoopRollJson, atBar: number): LoopSlot {
    if (!Number.isInteger(atBar) || atBar < 0) throw new Error(`a loop starts on a bar line, got bar ${atBar}`);
    if (this.slots.length === 0 && !this.playing) {
      this.transport.timeSignature = roll.beatsPerBar;
      this.transport.bpm.value = roll.tempoBpm;
    }
    for (const later of this.slots.filter((s) => s.atBar >= atBar)) this.dispose(later);
    this.slots = this.slots.filter((s) => s.atBar < atBar);
    const at = this.barTicks(atBar);
    for (const earlier of this.slots) earlier.part.stop(at);

    const ticksPerSecond = () => (this.transport.bpm.value * this.transport.PPQ) / 60;
    const slot: LoopSlot = {
      id,
      roll,
      atBar,
      startedAt: null,
      firstNoteAt: null,
      markerId: -1,
      part: new Tone.Part<TimedNote>((time, { note: event }) => {
        if (slot.firstNoteAt === null) slot.firstNoteAt = time;
        if (!audibleTracks(TRACKS, this.mix).has(event.track)) return;
        const seconds = event.durationTicks / ticksPerSecond();
        this.voices.trigger(event.track, event.midiPitch, seconds, time, event.velocity);
        this.tap?.(event, time, seconds);
      }, limitPolyphony(loopEvents(roll, this.transport.PPQ), MAX_VOICES_PER_TRACK, releaseTicks(roll.tempoBpm, this.transport.PPQ)).map((note) => ({ time: `${note.startTick}i`, note }))),
    };
    slot.part.loop = true;
    slot.part.loopEnd = `${loopLengthTicks(roll, this.transport.PPQ)}i`;
    slot.part.start(at);
    slot.markerId = this.transport.scheduleOnce((time) => {
      slot.startedAt = time;
      if (Math.abs(this.transport.bpm.getValueAtTime(time) - roll.tempoBpm) > 1e-6) this.transport.bpm.setValueAtTime(roll.tempoBpm, time);
      // Tell the page when the bar line is heard. (Not Tone.Draw: it drops callbacks more than 0.25 s late, and a
      // busy page is sometimes that late; a late display beats a missing one.)
      setTimeout(() => {
        for (const listener of this.swapListeners) listener({ id, atBar, time });
      }, Math.max(0, (time - Tone.immediate()) * 1000));
    }, at);
    this.slots.push(slot);
    return slot;
  }

  /** Drops a scheduled loop that has not started yet (a newer one replaced it). */
  cancel(id: number): void {
    const slot = this.slots.find((s) => s.id === id);
    if (!slot) return;
    this.dispose(slot);
    this.slots = this.slots.filter((s) => s !== slot);
  }

  slot(id: number): LoopSlot | undefined {
    return this.slots.find((s) => s.id === id);
  }

  /** The loop sounding at `bar` (the last slot started at or before it). */
  slotAt(bar: number): LoopSlot | null {
    let found: LoopSlot | null = null;
    for (const slot of this.slots) if (slot.atBar <= bar + 1e-9 && (!found || slot.atBar >= found.atBar)) found = slot;
    return found;
  }

  /** Starts the transport from bar 0 with the newest loop. */
  play(): void {
    if (this.playing) return;
    const newest = this.slots.reduce<LoopSlot | null>((a, s) => (!a || s.id > a.id ? s : a), null);
    for (const slot of this.slots) this.dispose(slot);
    this.slots = [];
    this.transport.position = 0;
    if (newest) this.schedule(newest.id, newest.roll, 0);
    this.startTime = Tone.now() + 0.05;
    this.transport.start(this.startTime);
    this.running = true;
  }

  stop(): void {
    if (!this.playing) return;
    this.running = false;
    this.transport.stop();
    this.transport.position = 0;
    this.voices.releaseAll();
    this.startTime = null;
  }

  /** Everything off and forgotten (leaving the loops panel's jam, say). */
  clear(): void {
    this.stop();
    for (const slot of this.slots) this.dispose(slot);
    this.slots = [];
  }

  private barTicks(bar: number): string {
    return `${bar * this.beatsPerBar * this.transport.PPQ}i`;
  }

  private dispose(slot: LoopSlot): void {
    this.transport.clear(slot.markerId);
    slot.part.stop();
    slot.part.dispose();
  }
}
