import assert from 'node:assert/strict';
import { parseMidi } from 'midi-file';
import { addNote, emptyRoll } from '../../server/music/roll.js';
import { rollToMidi } from '../../server/music/midi-out.js';
import { rollToJson } from '../../server/registry/roll-json.js';
import { midiTrackNames, stemFilename, stemMidi } from '../../client/src/loops/stems.js';
import { midiToRoll } from '../../client/src/loops/midi-roll.js';

/** A 2-bar loop: a kick on every beat, a bass line, a held piano chord. */
function demoRoll() {
  const roll = emptyRoll({ bars: 2, stepsPerBar: 48, tempoBpm: 96 });
  for (let beat = 0; beat < 8; beat++) addNote(roll, { track: 'drums', midiPitch: 36, startStep: beat * 12, velocity: 110 });
  [40, 43, 45, 47].forEach((p, i) => addNote(roll, { track: 'bass', midiPitch: p, startStep: i * 24, endStep: i * 24 + 18, velocity: 90 }));
  for (const p of [60, 64, 67]) addNote(roll, { track: 'piano', midiPitch: p, startStep: 48, endStep: 96, velocity: 70 });
  return roll;
}

describe('client loop files: stems and MIDI previews', () => {
  it("cuts a stem out of the server's loop MIDI, keeping tempo, metre and the loop's end", () => {
    const loop = rollToMidi(demoRoll());
    assert.deepEqual(midiTrackNames(loop), ['drums', 'bass', 'piano']);
    const bass = stemMidi(loop, 'bass')!;
    const parsed = parseMidi(bass);
    const original = parseMidi(loop);
    assert.equal(parsed.header.format, 1);
    assert.equal(parsed.tracks.length, 2);
    assert.equal(parsed.header.ticksPerBeat, original.header.ticksPerBeat);
    assert.deepEqual(parsed.tracks[1], original.tracks[2], 'the bass track is carried over event for event');
    const tempo = parsed.tracks[0]!.find((e) => e.type === 'setTempo');
    assert.ok(tempo && tempo.type === 'setTempo' && Math.abs(60_000_000 / tempo.microsecondsPerBeat - 96) < 0.01);
    const end = (track: typeof parsed.tracks[number]) => track.reduce((t, e) => t + e.deltaTime, 0);
    assert.equal(end(parsed.tracks[0]!), end(original.tracks[0]!), 'the conductor still ends on the loop\'s last bar line');
    const name = parsed.tracks[0]!.find((e) => e.type === 'trackName');
    assert.ok(name && name.type === 'trackName' && name.text.endsWith('- bass'));
  });

  it('has no stem for a track the loop does not have', () => {
    assert.equal(stemMidi(rollToMidi(demoRoll()), 'strings'), null);
  });

  it('names stems after their loop', () => {
    assert.equal(stemFilename('loops-default_4bars_120bpm_seed7.mid', 'bass'), 'loops-default_4bars_120bpm_seed7_bass.mid');
  });

  it("reads a loop's MIDI back into the same notes the server's roll JSON has", () => {
    const roll = demoRoll();
    const fromMidi = midiToRoll(rollToMidi(roll), 'loop.mid');
    const fromServer = rollToJson(roll);
    assert.equal(fromMidi.bars, 2);
    assert.equal(fromMidi.tempoBpm, 96);
    assert.equal(fromMidi.beatsPerBar, 4);
    assert.equal(fromMidi.stepsPerBar, fromServer.stepsPerBar);
    for (const track of fromMidi.tracks) {
      const expected = fromServer.tracks.find((t) => t.name === track.name)!;
      assert.deepEqual(track.notes, expected.notes, track.name);
      assert.equal(track.isDrum, expected.isDrum);
      assert.equal(track.program, expected.program);
    }
    assert.deepEqual(fromMidi.tracks.map((t) => t.name), ['drums', 'bass', 'piano']);
  });

  it('says which file is not MIDI', () => {
    assert.throws(() => midiToRoll(new TextEncoder().encode('RIFF....WAVE'), 'preview.mid'), /preview\.mid: not a readable MIDI file/);
  });
});
