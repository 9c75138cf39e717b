import { strict as assert } from 'node:assert';
import { TRACK_FAMILIES, familyOfProgram, DEFAULT_PROGRAMS, trackIndexOf } from '../../server/music/families.js';
import { addNote, emptyRoll, familiesPresent, getTrack, rollIndex, setTrack, trackIsEmpty, assertRollShape } from '../../server/music/roll.js';
import { packBits, unpackBits, packedByteLength } from '../../server/music/packing.js';
import { StudioError } from '../../server/util/errors.js';

describe('track families', () => {
  it('follows the LPD-5 rule: channel 10 drums, bass 32-39, piano 0-7, guitar 24-31, strings 40-51', () => {
    for (let p = 0; p < 128; p++) assert.equal(familyOfProgram(p, true), 'drums');
    for (let p = 32; p <= 39; p++) assert.equal(familyOfProgram(p, false), 'bass');
    for (let p = 0; p <= 7; p++) assert.equal(familyOfProgram(p, false), 'piano');
    for (let p = 24; p <= 31; p++) assert.equal(familyOfProgram(p, false), 'guitar');
    for (let p = 40; p <= 51; p++) assert.equal(familyOfProgram(p, false), 'strings');
  });

  it('maps the rest by the documented rule and drops sound effects', () => {
    assert.equal(familyOfProgram(16, false), 'piano'); // drawbar organ
    assert.equal(familyOfProgram(11, false), 'piano'); // vibraphone
    assert.equal(familyOfProgram(52, false), 'strings'); // choir
    assert.equal(familyOfProgram(61, false), 'strings'); // brass section
    assert.equal(familyOfProgram(89, false), 'strings'); // warm pad
    assert.equal(familyOfProgram(105, false), 'guitar'); // banjo
    assert.equal(familyOfProgram(118, false), null); // synth drum on a melodic channel
    assert.equal(familyOfProgram(127, false), null); // gunshot
    assert.equal(familyOfProgram(128, false), null);
  });

  it('has a default program per family in the family it names', () => {
    for (const family of TRACK_FAMILIES) {
      if (family !== 'drums') assert.equal(familyOfProgram(DEFAULT_PROGRAMS[family], false), family);
    }
  });
});

describe('multitrack roll', () => {
  it('lays cells out channels-last: [bar][step][pitch][track]', () => {
    const roll = emptyRoll({ bars: 2, stepsPerBar: 4, pitchCount: 3, lowestPitch: 60 });
    assert.equal(roll.data.length, 2 * 4 * 3 * 5);
    // bar 1, step 2, pitch 1, track 3 -> ((1*4 + 2) * 3 + 1) * 5 + 3
    assert.equal(rollIndex(roll, 1, 2, 1, 3), ((1 * 4 + 2) * 3 + 1) * 5 + 3);
    assert.equal(rollIndex(roll, 0, 6, 1, 3), rollIndex(roll, 1, 2, 1, 3));
    addNote(roll, { track: 'guitar', midiPitch: 61, startStep: 6 });
    assert.equal(roll.data[((1 * 4 + 2) * 3 + 1) * 5 + trackIndexOf('guitar')], 1);
    assert.equal(roll.data.reduce((s, v) => s + v, 0), 1);
  });

  it('gets, sets and tests tracks, and lists the families present', () => {
    const roll = emptyRoll({ bars: 1, stepsPerBar: 4, pitchCount: 2, lowestPitch: 40 });
    assert.ok(TRACK_FAMILIES.every((f) => trackIsEmpty(roll, f)));
    const bass = new Uint8Array([1, 0, 1, 0, 0, 0, 0, 1]); // [step][pitch]
    setTrack(roll, 'bass', bass);
    assert.deepEqual(Array.from(getTrack(roll, 'bass')), Array.from(bass));
    assert.deepEqual(Array.from(getTrack(roll, 1)), Array.from(bass));
    assert.equal(trackIsEmpty(roll, 'bass'), false);
    assert.equal(trackIsEmpty(roll, 'drums'), true);
    addNote(roll, { track: 'strings', midiPitch: 41, startStep: 0, endStep: 10 }); // clipped to the roll
    assert.deepEqual(familiesPresent(roll), ['bass', 'strings']);
    assert.deepEqual(Array.from(getTrack(roll, 'strings')), [0, 1, 0, 1, 0, 1, 0, 1]);
    assert.throws(() => setTrack(roll, 'bass', new Uint8Array(3)), StudioError);
    assert.throws(() => getTrack(roll, 7), StudioError);
  });

  it('ignores notes outside the pitch range and refuses bad shapes', () => {
    const roll = emptyRoll({ bars: 1, stepsPerBar: 4 });
    addNote(roll, { track: 'piano', midiPitch: 23, startStep: 0 });
    addNote(roll, { track: 'piano', midiPitch: 108, startStep: 0 });
    assert.ok(trackIsEmpty(roll, 'piano'));
    assert.throws(() => emptyRoll({ bars: 0 }), /bars must be a positive integer/);
    assert.throws(() => emptyRoll({ lowestPitch: 100, pitchCount: 84 }), /outside MIDI/);
    assert.throws(() => assertRollShape({ ...roll, data: new Uint8Array(5) }), /data has 5 cells/);
  });
});

describe('bit packing', () => {
  it('packs 8 cells per byte, most significant bit first', () => {
    const cells = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    const packed = packBits(cells);
    assert.deepEqual(Array.from(packed), [0b10000001, 0b11000000]);
    assert.deepEqual(Array.from(unpackBits(packed, 10)), Array.from(cells));
  });

  it('round-trips a full-size roll in 10,080 bytes', () => {
    const roll = emptyRoll();
    for (let i = 0; i < roll.data.length; i += 7) roll.data[i] = 1;
    const packed = packBits(roll.data);
    assert.equal(packed.length, 10_080);
    assert.equal(packedByteLength(roll.data.length), 10_080);
    assert.deepEqual(unpackBits(packed, roll.data.length), roll.data);
    assert.throws(() => unpackBits(packed.subarray(0, 100), roll.data.length), StudioError);
  });
});
