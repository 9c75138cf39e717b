import { strict as assert } from 'node:assert';
import { parseMidi, type MidiEvent } from 'midi-file';
import { rollToMidi, channelOf } from '../../server/music/midi-out.js';
import { midiToPhrases } from '../../server/music/midi-in.js';
import { addNote, emptyRoll, type MultitrackRoll } from '../../server/music/roll.js';
import { DEFAULT_PROGRAMS, TRACK_FAMILIES, TRACK_COUNT } from '../../server/music/families.js';
import { grooveVelocities } from '../../server/music/velocity.js';
import { ToneMidi } from './midi-fixtures.js';
import { StudioError } from '../../server/util/errors.js';

type Timed = MidiEvent & { tick: number };

function absolute(track: MidiEvent[]): Timed[] {
  let tick = 0;
  return track.map((e) => ({ ...e, tick: (tick += e.deltaTime) }));
}

function seededRandom(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** A random roll: runs of 1-12 steps on random pitches of every track. */
function randomRoll(seed: number, notesPerTrack = 40): MultitrackRoll {
  const random = seededRandom(seed);
  const roll = emptyRoll({ tempoBpm: 60 + Math.round(random() * 12000) / 100 });
  for (const family of TRACK_FAMILIES) {
    for (let n = 0; n < notesPerTrack; n++) {
      const startStep = Math.floor(random() * 192);
      addNote(roll, { track: family, midiPitch: 24 + Math.floor(random() * 84), startStep, endStep: startStep + 1 + Math.floor(random() * 12) });
    }
  }
  return roll;
}

function readBack(bytes: Uint8Array, roll: MultitrackRoll, drumsAsOnsets = false) {
  const { phrases, skipped } = midiToPhrases(bytes, 'loop.mid', { bars: roll.bars, stepsPerBar: roll.stepsPerBar, drumsAsOnsets });
  assert.equal(phrases.length, 1, JSON.stringify(skipped));
  return phrases[0]!;
}

describe('MIDI out: a file a DAW opens as expected', () => {
  const roll = emptyRoll({ tempoBpm: 96 });
  addNote(roll, { track: 'drums', midiPitch: 36, startStep: 0 });
  addNote(roll, { track: 'drums', midiPitch: 42, startStep: 6 });
  addNote(roll, { track: 'bass', midiPitch: 40, startStep: 6, endStep: 12 });
  addNote(roll, { track: 'strings', midiPitch: 72, startStep: 48, endStep: 96 });
  // bars 2-3 are silent: the clip must still be 4 bars long
  const midi = parseMidi(rollToMidi(roll));
  const loopEnd = 4 * 4 * 480;

  it('is format 1 at 480 PPQ with a conductor track and one named track per family with notes', () => {
    assert.equal(midi.header.format, 1);
    assert.equal(midi.header.ticksPerBeat, 480);
    assert.equal(midi.tracks.length, 1 + 3);
    const names = midi.tracks.map((t) => (t.find((e) => e.type === 'trackName') as { text: string }).text);
    assert.deepEqual(names, ['Studio loop', 'Drums', 'Bass', 'Strings']);
  });

  it('puts tempo and time signature in the conductor track', () => {
    const conductor = absolute(midi.tracks[0]!);
    const tempo = conductor.find((e) => e.type === 'setTempo') as Timed & { microsecondsPerBeat: number };
    assert.equal(tempo.tick, 0);
    assert.equal(tempo.microsecondsPerBeat, 625_000); // 60e6 / 96
    const ts = conductor.find((e) => e.type === 'timeSignature') as Timed & { numerator: number; denominator: number };
    assert.deepEqual([ts.tick, ts.numerator, ts.denominator], [0, 4, 4]);
  });

  it('ends every track at the loop\'s last bar line, even after silent bars', () => {
    for (const track of midi.tracks) {
      const timed = absolute(track);
      const last = timed[timed.length - 1]!;
      assert.equal(last.type, 'endOfTrack');
      assert.equal(last.tick, loopEnd);
      assert.equal(timed.filter((e) => e.type === 'endOfTrack').length, 1);
    }
  });

  it('puts drums alone on channel 10, each family with its program', () => {
    const channels = midi.tracks.slice(1).map((t) => new Set(t.filter((e) => 'channel' in e).map((e) => (e as { channel: number }).channel)));
    assert.deepEqual(channels.map((c) => [...c]), [[9], [channelOf('bass')], [channelOf('strings')]]);
    assert.ok(TRACK_FAMILIES.filter((f) => f !== 'drums').every((f) => channelOf(f) !== 9));
    const programs = midi.tracks.slice(1).map((t) => (t.find((e) => e.type === 'programChange') as { programNumber: number }).programNumber);
    assert.deepEqual(programs, [DEFAULT_PROGRAMS.drums, DEFAULT_PROGRAMS.bass, DEFAULT_PROGRAMS.strings]);
  });

  it('ends notes on their step (40 ticks per step at 48 steps per bar)', () => {
    const bass = absolute(midi.tracks[2]!).filter((e) => e.type === 'noteOn' || e.type === 'noteOff');
    assert.deepEqual(bass.map((e) => [e.type, e.tick]), [['noteOn', 240], ['noteOff', 480]]);
    const strings = absolute(midi.tracks[3]!).filter((e) => e.type === 'noteOn' || e.type === 'noteOff');
    assert.deepEqual(strings.map((e) => [e.type, e.tick]), [['noteOn', 1920], ['noteOff', 3840]]);
  });

  it('uses groove-aware default velocities (accented downbeat, softer off-beats)', () => {
    const drums = absolute(midi.tracks[1]!).filter((e) => e.type === 'noteOn') as (Timed & { velocity: number })[];
    assert.deepEqual(drums.map((e) => e.velocity), [grooveVelocities.drums.downbeat, grooveVelocities.drums.eighth]);
    const bass = absolute(midi.tracks[2]!).find((e) => e.type === 'noteOn') as Timed & { velocity: number };
    assert.equal(bass.velocity, grooveVelocities.pitched.eighth);
  });

  it('takes velocities from the roll, or a fixed one per track; programs, names and tempo are configurable', () => {
    const r = emptyRoll({ bars: 1 });
    addNote(r, { track: 'piano', midiPitch: 60, startStep: 3, endStep: 5, velocity: 33 });
    addNote(r, { track: 'guitar', midiPitch: 64, startStep: 0, velocity: 50 });
    const m = parseMidi(rollToMidi(r, { velocities: { guitar: 90 }, programs: { piano: 4 }, trackNames: { piano: 'Keys' }, tempoBpm: 150, includeEmptyTracks: true }));
    assert.equal(m.tracks.length, 1 + TRACK_COUNT);
    const piano = m.tracks[1 + TRACK_FAMILIES.indexOf('piano')]!;
    assert.equal((piano.find((e) => e.type === 'noteOn') as { velocity: number }).velocity, 33);
    assert.equal((piano.find((e) => e.type === 'programChange') as { programNumber: number }).programNumber, 4);
    assert.equal((piano.find((e) => e.type === 'trackName') as { text: string }).text, 'Keys');
    const guitar = m.tracks[1 + TRACK_FAMILIES.indexOf('guitar')]!;
    assert.equal((guitar.find((e) => e.type === 'noteOn') as { velocity: number }).velocity, 90);
    assert.equal((m.tracks[0]!.find((e) => e.type === 'setTempo') as { microsecondsPerBeat: number }).microsecondsPerBeat, 400_000);
  });

  it('opens in @tonejs/midi with the track names, programs and drum channel', () => {
    const parsed = new ToneMidi(rollToMidi(roll));
    assert.deepEqual(parsed.tracks.map((t) => [t.name, t.instrument.number, t.channel, t.instrument.percussion]), [
      ['Drums', 0, 9, true],
      ['Bass', DEFAULT_PROGRAMS.bass, channelOf('bass'), false],
      ['Strings', DEFAULT_PROGRAMS.strings, channelOf('strings'), false],
    ]);
    assert.equal(parsed.header.ppq, 480);
  });

  it('refuses bad options and rolls', () => {
    assert.throws(() => rollToMidi(roll, { programs: { bass: 128 } }), /program for bass must be an integer 0-127/);
    assert.throws(() => rollToMidi(roll, { velocities: { bass: 0 } }), /velocity for bass must be an integer 1-127/);
    assert.throws(() => rollToMidi(roll, { tempoBpm: 0 }), StudioError);
    assert.throws(() => rollToMidi({ ...roll, data: new Uint8Array(10) }), /data has 10 cells/);
  });
});

describe('MIDI round trip: roll -> MIDI -> roll', () => {
  it('is exact for random rolls (5 seeds), tempo included', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const roll = randomRoll(seed);
      const back = readBack(rollToMidi(roll), roll);
      assert.deepEqual(back.data, roll.data, `seed ${seed}`);
      assert.equal(back.tempoBpm, roll.tempoBpm);
    }
  });

  it('is exact with drum hits read as onsets when the drums are single steps, velocities included', () => {
    const roll = emptyRoll();
    for (let s = 0; s < 192; s += 3) addNote(roll, { track: 'drums', midiPitch: 42, startStep: s, velocity: 40 + (s % 80) });
    for (let s = 0; s < 192; s += 12) addNote(roll, { track: 'bass', midiPitch: 36 + (s % 7), startStep: s, endStep: s + 9, velocity: 100 });
    const back = readBack(rollToMidi(roll), roll, true);
    assert.deepEqual(back.data, roll.data);
    assert.deepEqual(back.velocities, roll.velocities);
  });

  it('keeps the length of a loop whose last bars are silent, and the shape of a 2-bar loop', () => {
    const roll = emptyRoll({ bars: 2 });
    addNote(roll, { track: 'piano', midiPitch: 60, startStep: 0, endStep: 5 });
    const back = readBack(rollToMidi(roll), roll);
    assert.equal(back.bars, 2);
    assert.deepEqual(back.data, roll.data);
  });
});
