/**
 * A loop (LoopRollJson) as timed note events on the transport, in ticks (`ppq` ticks per quarter note), and the
 * mute/solo rule that says which tracks sound. Pure: loop-player.ts turns these into Tone.js parts.
 */
import type { LoopRollJson, TrackName } from '../../../server/protocol.js';

export interface LoopNoteEvent {
  track: TrackName;
  isDrum: boolean;
  /** General MIDI program (0-based) of the track. */
  program: number;
  midiPitch: number;
  /** 0..1 (MIDI velocity / 127). */
  velocity: number;
  startTick: number;
  durationTicks: number;
}

/** Ticks per quarter note of Tone.js's transport. */
export const DEFAULT_PPQ = 192;

/**
 * Ticks in one roll step. A roll step is 1/stepsPerBar of a bar and a bar is beatsPerBar quarter notes (the roll's
 * beats are quarters: 4/4, 3/4 ...).
 */
export function ticksPerStep(roll: Pick<LoopRollJson, 'beatsPerBar' | 'stepsPerBar'>, ppq = DEFAULT_PPQ): number {
  return (ppq * roll.beatsPerBar) / roll.stepsPerBar;
}

export function loopLengthTicks(roll: Pick<LoopRollJson, 'bars' | 'beatsPerBar'>, ppq = DEFAULT_PPQ): number {
  return roll.bars * roll.beatsPerBar * ppq;
}

/** Every note of every track, ordered by start, with drum hits at most one step long (they are one-shots). */
export function loopEvents(roll: LoopRollJson, ppq = DEFAULT_PPQ): LoopNoteEvent[] {
  const tick = ticksPerStep(roll, ppq);
  const events: LoopNoteEvent[] = [];
  for (const track of roll.tracks) {
    for (const note of track.notes) {
      const steps = Math.max(1, note.endStep - note.startStep);
      events.push({
        track: track.name,
        isDrum: track.isDrum,
        program: track.program,
        midiPitch: note.pitch,
        velocity: Math.min(1, Math.max(0, note.velocity / 127)),
        startTick: Math.round(note.startStep * tick),
        durationTicks: Math.round((track.isDrum ? 1 : steps) * tick),
      });
    }
  }
  return events.sort((a, b) => a.startTick - b.startTick || a.midiPitch - b.midiPitch);
}

/**
 * At most `maxVoices` notes of one track sounding at once: a note starting while that many are held is dropped
 * (drums count hits, each lasting its one step). A voice stays busy `tailTicks` after its note ends (the synth's
 * release). An untrained or noisy model can ask for a hundred simultaneous bass notes; a synth cannot play them,
 * and trying would choke the page. Events stay in order.
 */
export function limitPolyphony(events: readonly LoopNoteEvent[], maxVoices: number | Readonly<Record<TrackName, number>>, tailTicks = 0): LoopNoteEvent[] {
  const endsByTrack = new Map<string, number[]>();
  const kept: LoopNoteEvent[] = [];
  for (const event of events) {
    const ends = (endsByTrack.get(event.track) ?? []).filter((end) => end > event.startTick);
    if (ends.length >= (typeof maxVoices === 'number' ? maxVoices : maxVoices[event.track])) {
      endsByTrack.set(event.track, ends);
      continue;
    }
    ends.push(event.startTick + event.durationTicks + tailTicks);
    endsByTrack.set(event.track, ends);
    kept.push(event);
  }
  return kept;
}

export interface TrackMix {
  muted: ReadonlySet<TrackName>;
  soloed: ReadonlySet<TrackName>;
}

/** The tracks that sound: the soloed ones when any is soloed, else all; a muted track never sounds. */
export function audibleTracks(tracks: readonly TrackName[], mix: TrackMix): Set<TrackName> {
  const base = mix.soloed.size > 0 ? tracks.filter((t) => mix.soloed.has(t)) : tracks;
  return new Set(base.filter((t) => !mix.muted.has(t)));
}

/** Notes per track, for the track list ("bass: 23 notes"). */
export function noteCounts(roll: LoopRollJson): Map<TrackName, number> {
  return new Map(roll.tracks.map((t) => [t.name, t.notes.length]));
}
