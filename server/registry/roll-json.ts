/**
 * A multitrack roll as note lists (LoopRollJson): what a client draws and plays without parsing MIDI.
 * A note is a run of on-cells on one pitch, as in the MIDI export; velocities follow the same rule as the MIDI
 * (the roll's own, else the groove default), so the JSON and the .mid of one loop sound the same.
 */
import { DEFAULT_PROGRAMS, DRUM_CHANNEL, TRACK_FAMILIES } from '../music/families.js';
import { rollIndex, rollSteps, type MultitrackRoll } from '../music/roll.js';
import { defaultVelocity } from '../music/velocity.js';
import { channelOf } from '../music/midi-out.js';
import type { LoopRollJson } from '../protocol.js';

export function rollToJson(roll: MultitrackRoll): LoopRollJson {
  const totalSteps = rollSteps(roll);
  const tracks = TRACK_FAMILIES.map((name, t) => {
    const notes: LoopRollJson['tracks'][number]['notes'] = [];
    for (let p = 0; p < roll.pitchCount; p++) {
      let start = -1;
      for (let s = 0; s <= totalSteps; s++) {
        const on = s < totalSteps && roll.data[rollIndex(roll, 0, s, p, t)] === 1;
        if (on && start < 0) start = s;
        if (!on && start >= 0) {
          const own = roll.velocities?.[rollIndex(roll, 0, start, p, t)] ?? 0;
          const velocity = own || defaultVelocity(name, start % roll.stepsPerBar, roll.stepsPerBar, roll.beatsPerBar);
          notes.push({ pitch: roll.lowestPitch + p, startStep: start, endStep: s, velocity });
          start = -1;
        }
      }
    }
    notes.sort((a, b) => a.startStep - b.startStep || a.pitch - b.pitch);
    return { name, program: DEFAULT_PROGRAMS[name], isDrum: channelOf(name) === DRUM_CHANNEL, notes };
  });
  return {
    bars: roll.bars,
    stepsPerBar: roll.stepsPerBar,
    beatsPerBar: roll.beatsPerBar,
    tempoBpm: roll.tempoBpm,
    lowestPitch: roll.lowestPitch,
    pitchCount: roll.pitchCount,
    tracks,
  };
}
