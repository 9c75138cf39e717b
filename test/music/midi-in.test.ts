import { strict as assert } from 'node:assert';
import { gzipSync } from 'node:zlib';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { midiToPhrases, parseMidiFile } from '../../server/music/midi-in.js';
import { getTrack, rollIndex, type MultitrackRoll } from '../../server/music/roll.js';
import { trackIndexOf, type TrackFamily } from '../../server/music/families.js';
import { StudioError } from '../../server/util/errors.js';
import { makeMidi, oneNoteTrack, quarterNotes, rawSmf } from './midi-fixtures.js';

const PPQ = 480;
const BAR = 4 * PPQ; // ticks in a 4/4 bar

/** The [start, end) step runs of one pitch in a track. */
function runs(roll: MultitrackRoll, family: TrackFamily, midiPitch: number): [number, number][] {
  const p = midiPitch - roll.lowestPitch;
  const out: [number, number][] = [];
  let start = -1;
  const total = roll.bars * roll.stepsPerBar;
  for (let s = 0; s <= total; s++) {
    const on = s < total && roll.data[rollIndex(roll, 0, s, p, trackIndexOf(family))] === 1;
    if (on && start < 0) start = s;
    if (!on && start >= 0) {
      out.push([start, s]);
      start = -1;
    }
  }
  return out;
}

function expectBadFile(bytes: Uint8Array, name: string, pattern: RegExp, code = 'BAD_FILE'): void {
  assert.throws(
    () => parseMidiFile(bytes, name),
    (err: unknown) => {
      assert.ok(err instanceof StudioError, `a StudioError, got ${String(err)}`);
      assert.equal(err.code, code);
      assert.ok(err.message.startsWith(`${name}: `), `names the file: ${err.message}`);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('MIDI in: phrases', () => {
  it('quantises to 12 steps per quarter note, maps families and keeps the pitch range 24-107', () => {
    const bytes = makeMidi({
      tracks: [
        { program: 33, notes: [{ midi: 40, ticks: 0, durationTicks: PPQ }] }, // bass: steps 0-12
        // piano: starts 6.125 steps in -> step 6; ends at 11.875 -> step 12
        { program: 0, notes: [{ midi: 60, ticks: 245, durationTicks: 230 }, { midi: 110, ticks: 0, durationTicks: PPQ }] },
        { channel: 9, notes: [{ midi: 36, ticks: 0, durationTicks: 200 }, { midi: 38, ticks: PPQ, durationTicks: 10 }] },
        { program: 25, notes: [{ midi: 64, ticks: BAR, durationTicks: BAR }] }, // guitar: the whole bar 1
        { program: 48, notes: [{ midi: 72, ticks: 3 * BAR + 3 * PPQ, durationTicks: 2 * PPQ }] }, // strings: runs past the phrase
      ],
    });
    const { phrases, skipped } = midiToPhrases(bytes, 'song.mid');
    assert.equal(phrases.length, 1);
    const roll = phrases[0]!;
    assert.equal(roll.source, 'song.mid');
    assert.equal(roll.barOffset, 0);
    assert.equal(roll.tempoBpm, 120);
    assert.deepEqual([roll.bars, roll.stepsPerBar, roll.lowestPitch, roll.pitchCount], [4, 48, 24, 84]);
    assert.deepEqual(roll.families, ['drums', 'bass', 'piano', 'guitar', 'strings']);
    assert.deepEqual(runs(roll, 'bass', 40), [[0, 12]]);
    assert.deepEqual(runs(roll, 'piano', 60), [[6, 12]]);
    assert.deepEqual(runs(roll, 'drums', 36), [[0, 1]], 'drum hits are one step (onsets)');
    assert.deepEqual(runs(roll, 'drums', 38), [[12, 13]]);
    assert.deepEqual(runs(roll, 'guitar', 64), [[48, 96]]);
    assert.deepEqual(runs(roll, 'strings', 72), [[180, 192]], 'clipped at the phrase end');
    const cells = roll.data.reduce((s, v) => s + v, 0);
    assert.equal(cells, 12 + 6 + 1 + 1 + 48 + 12, 'nothing else is set (pitch 110 is dropped)');
    assert.deepEqual(skipped, [{ source: 'song.mid', reason: '1 bar(s) left over, fewer than a 4-bar phrase', barOffset: 4, bars: 1 }]);
  });

  it('keeps velocities, and can keep drum lengths', () => {
    const bytes = makeMidi({ tracks: [{ channel: 9, notes: [{ midi: 42, ticks: 0, durationTicks: PPQ, velocity: 77 }] }] });
    const [roll] = midiToPhrases(bytes, 'v.mid', { bars: 1 }).phrases;
    assert.equal(roll!.velocities![rollIndex(roll!, 0, 0, 42 - 24, 0)], 77);
    const [long] = midiToPhrases(bytes, 'v.mid', { bars: 1, drumsAsOnsets: false }).phrases;
    assert.deepEqual(runs(long!, 'drums', 42), [[0, 12]]);
  });

  it('unions the overlapping notes of tracks merged into one family', () => {
    const bytes = makeMidi({
      tracks: [
        { program: 0, notes: [{ midi: 60, ticks: 0, durationTicks: PPQ }] }, // steps 0-12
        { program: 4, notes: [{ midi: 60, ticks: PPQ / 2, durationTicks: PPQ }, { midi: 64, ticks: 0, durationTicks: 40 }] }, // 6-18
        { program: 17, channel: 2, notes: [{ midi: 60, ticks: 2 * PPQ, durationTicks: 40 }] }, // organ -> piano, 24-25
      ],
    });
    const [roll] = midiToPhrases(bytes, 'merge.mid', { bars: 1 }).phrases;
    assert.deepEqual(roll!.families, ['piano']);
    assert.deepEqual(runs(roll!, 'piano', 60), [[0, 18], [24, 25]]);
    assert.deepEqual(runs(roll!, 'piano', 64), [[0, 1]]);
  });

  it('reads a hand-made format-0 file: running status, note-on velocity 0 as note-off, program changes per channel', () => {
    const ppq = 96; // one step (a 12th of a quarter note) = 8 ticks
    const body = [
      0x00, 0xc0, 33, // channel 1: fingered bass
      0x00, 0xc1, 0, // channel 2: piano
      0x00, 0x90, 40, 100, // bass E2 on
      0x00, 64, 90, // running status: E4, also on channel 1 (bass)
      0x00, 0x91, 60, 80, // piano C4 on
      0x00, 0x99, 36, 110, // drums kick on channel 10
      0x08, 0x89, 36, 0, // kick off after one step
      0x58, 0x90, 40, 0, // bass E2 off (velocity-0 note-on) at tick 96: 12 steps
      0x00, 64, 0, // running status off for E4
      0x00, 0x81, 60, 0, // piano off
      0x00, 0xc1, 26, // channel 2 switches to jazz guitar
      0x00, 0x91, 67, 70, // G4 now a guitar note
      0x30, 0x81, 67, 0, // off after 6 steps
      0x83, 0x60, 0xff, 0x2f, 0x00, // End of Track at 4 quarter notes later (delta 480 = 0x83 0x60)
    ];
    const bytes = rawSmf({ format: 0, division: ppq }, [body]);
    const parsed = parseMidiFile(bytes, 'fmt0.mid');
    assert.deepEqual(parsed.tracks.map((t) => [t.channel, t.program, t.family, t.notes.length]), [
      [9, 0, 'drums', 1],
      [0, 33, 'bass', 2],
      [1, 0, 'piano', 1],
      [1, 26, 'guitar', 1],
    ]);
    const [roll] = midiToPhrases(bytes, 'fmt0.mid', { bars: 1 }).phrases;
    assert.deepEqual(runs(roll!, 'bass', 40), [[0, 12]]);
    assert.deepEqual(runs(roll!, 'bass', 64), [[0, 12]]);
    assert.deepEqual(runs(roll!, 'piano', 60), [[0, 12]]);
    assert.deepEqual(runs(roll!, 'guitar', 67), [[12, 18]]);
    assert.deepEqual(runs(roll!, 'drums', 36), [[0, 1]]);
    assert.equal(roll!.velocities![rollIndex(roll!, 0, 0, 36 - 24, trackIndexOf('drums'))], 110);
  });

  it('takes a channel\'s program from another track when the note\'s own track sets none', () => {
    const conductor = [0x00, 0xc3, 40, 0x00, 0xff, 0x2f, 0x00]; // violin on channel 4, set in track 1
    const notes = [0x00, 0x93, 72, 100, 0x60, 0x83, 72, 0, 0x00, 0xff, 0x2f, 0x00];
    const parsed = parseMidiFile(rawSmf({ division: 96 }, [conductor, notes]), 'split.mid');
    assert.deepEqual(parsed.tracks.map((t) => [t.program, t.family]), [[40, 'strings']]);
  });

  it('follows the tempo map: each phrase gets its average tempo', () => {
    // 120 bpm for bars 0-5, 60 bpm from bar 6: phrase 0 is at 120; phrase 1 (bars 4-7) plays 2 bars at 120
    // (4 s) and 2 bars at 60 (8 s): 16 quarter notes in 12 s = 80 bpm.
    const bytes = makeMidi({
      tempos: [{ ticks: 0, bpm: 120 }, { ticks: 6 * BAR, bpm: 60 }],
      tracks: [{ program: 33, notes: quarterNotes(40, 32) }],
    });
    const { phrases } = midiToPhrases(bytes, 'tempo.mid');
    assert.deepEqual(phrases.map((p) => [p.barOffset, p.tempoBpm]), [[0, 120], [4, 80]]);
  });

  it('follows the time-signature map: 3/4 bars are skipped with a reason and the next phrase starts on its bar line', () => {
    const threeFourStart = 4 * BAR;
    const back = threeFourStart + 2 * 3 * PPQ; // two 3/4 bars later
    const bytes = makeMidi({
      timeSignatures: [
        { ticks: 0, timeSignature: [4, 4] },
        { ticks: threeFourStart, timeSignature: [3, 4] },
        { ticks: back, timeSignature: [4, 4] },
      ],
      tracks: [{ program: 33, notes: [...quarterNotes(40, 16), ...quarterNotes(43, 6, PPQ, PPQ / 2, threeFourStart), ...quarterNotes(45, 16, PPQ, PPQ / 2, back)] }],
    });
    const { phrases, skipped } = midiToPhrases(bytes, 'metre.mid');
    assert.deepEqual(phrases.map((p) => p.barOffset), [0, 6]);
    assert.deepEqual(runs(phrases[1]!, 'bass', 45)[0], [0, 6], 'the 4/4 stretch starts at step 0 of its phrase');
    assert.equal(runs(phrases[1]!, 'bass', 43).length, 0, 'no 3/4 notes leak in');
    const metre = skipped.find((s) => /3\/4/.test(s.reason));
    assert.ok(metre, JSON.stringify(skipped));
    assert.equal(metre.barOffset, 4);
    assert.equal(metre.bars, 2);
    assert.match(metre.reason, /bars 4-5: 3\/4/);
  });

  it('skips a bar cut short by a metre change (a pickup) and leftover bars, with reasons', () => {
    const pickup = PPQ; // a one-beat pickup written as a 4/4 bar that a new 4/4 marker cuts short
    const bytes = makeMidi({
      timeSignatures: [{ ticks: 0, timeSignature: [4, 4] }, { ticks: pickup, timeSignature: [4, 4] }],
      tracks: [{ program: 33, notes: [{ midi: 50, ticks: 0, durationTicks: 100 }, ...quarterNotes(40, 4 * 6, PPQ, PPQ / 2, pickup)] }],
    });
    const { phrases, skipped } = midiToPhrases(bytes, 'pickup.mid');
    assert.deepEqual(phrases.map((p) => p.barOffset), [1]);
    assert.deepEqual(runs(phrases[0]!, 'bass', 40)[0], [0, 6]);
    assert.ok(skipped.some((s) => s.barOffset === 0 && /cut short/.test(s.reason)), JSON.stringify(skipped));
    assert.ok(skipped.some((s) => s.barOffset === 5 && s.bars === 2 && /left over/.test(s.reason)), JSON.stringify(skipped));
  });

  it('filters phrases by the number of non-empty tracks', () => {
    const bytes = makeMidi({
      tracks: [
        { program: 33, notes: quarterNotes(40, 32) },
        { channel: 9, notes: quarterNotes(36, 16) }, // drums only in the first phrase
      ],
    });
    const { phrases, skipped } = midiToPhrases(bytes, 'few.mid', { minTracks: 2 });
    assert.deepEqual(phrases.map((p) => p.families), [['drums', 'bass']]);
    assert.ok(skipped.some((s) => s.barOffset === 4 && /only 1 of 5 tracks/.test(s.reason)));
  });

  it('quantises any PPQ and cuts 2-bar phrases on request', () => {
    const ppq = 96;
    const bytes = makeMidi({ ppq, tracks: [{ program: 33, notes: [{ midi: 40, ticks: ppq * 4, durationTicks: ppq / 4 }] }] });
    const { phrases } = midiToPhrases(bytes, 'ppq.mid', { bars: 2 });
    assert.equal(phrases.length, 1);
    assert.equal(phrases[0]!.bars, 2);
    assert.deepEqual(runs(phrases[0]!, 'bass', 40), [[48, 51]]);
  });

  it('reads gzip-compressed MIDI (.mid.gz)', () => {
    const bytes = makeMidi({ tracks: [{ program: 33, notes: quarterNotes(40, 16) }] });
    const plain = midiToPhrases(bytes, 'a.mid').phrases;
    const zipped = midiToPhrases(gzipSync(bytes), 'a.mid.gz').phrases;
    assert.equal(zipped.length, 1);
    assert.deepEqual(zipped[0]!.data, plain[0]!.data);
    assert.deepEqual(Array.from(getTrack(zipped[0]!, 'bass')), Array.from(getTrack(plain[0]!, 'bass')));
  });
});

describe('MIDI in: bad files get a clear error naming the file', () => {
  const good = makeMidi({ tracks: [{ program: 33, notes: quarterNotes(40, 64) }] });

  it('empty', () => expectBadFile(new Uint8Array(0), 'empty.mid', /the file is empty/));

  it('random bytes', () => {
    const random = new Uint8Array(4096);
    let x = 12345;
    for (let i = 0; i < random.length; i++) random[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    expectBadFile(random, 'noise.mid', /not a MIDI file \(no MThd header; it starts with bytes/);
  });

  it('a text file named .mid', () => expectBadFile(new TextEncoder().encode('Hello, this is not music.\n'), 'notes.mid', /not a MIDI file .*text file/));

  it('truncated anywhere', () => {
    for (const cut of [4, 13, 20, good.length - 40, good.length - 1]) {
      expectBadFile(good.subarray(0, cut), `cut${cut}.mid`, /truncated/);
    }
  });

  it('zero tracks', () => expectBadFile(rawSmf({ trackCount: 0 }, []), 'zero.mid', /has zero tracks/));

  it('a track with no notes (@tonejs/midi would report a duration of -Infinity)', () => {
    expectBadFile(rawSmf({}, [[0x00, 0xff, 0x2f, 0x00]]), 'silent.mid', /contains no notes/);
  });

  it('corrupt events, where the parser throws a string', () => {
    // A data byte before any status byte: midi-file throws a plain string, not an Error.
    expectBadFile(rawSmf({}, [[0x00, 0x40, 0x40, 0x00, 0xff, 0x2f, 0x00]]), 'garbled.mid', /is corrupt MIDI \(.+\)/);
  });

  it('an absurd tempo', () => {
    const setTempo = (us: number) => [0x00, 0xff, 0x51, 0x03, (us >> 16) & 0xff, (us >> 8) & 0xff, us & 0xff];
    expectBadFile(rawSmf({}, [[...setTempo(1), ...oneNoteTrack()]]), 'fast.mid', /absurd tempo of 60000000\.0 bpm/);
    expectBadFile(rawSmf({}, [[...setTempo(0), ...oneNoteTrack()]]), 'infinite.mid', /absurd tempo of Infinity bpm/);
    expectBadFile(rawSmf({}, [[...setTempo(0xffffff), ...oneNoteTrack()]]), 'slow.mid', /absurd tempo of 3\.6 bpm/);
  });

  it('SMPTE time division and an invalid time signature', () => {
    expectBadFile(rawSmf({ division: 0xe728 }, [oneNoteTrack()]), 'smpte.mid', /SMPTE/);
    const zeroBeats = [0x00, 0xff, 0x58, 0x04, 0, 2, 24, 8];
    assert.throws(() => midiToPhrases(rawSmf({}, [[...zeroBeats, ...oneNoteTrack()]]), 'ts.mid'), /ts\.mid: has an invalid time signature 0\/4/);
  });

  it('corrupt gzip', () => {
    const zipped = gzipSync(good);
    expectBadFile(zipped.subarray(0, zipped.length - 20), 'cut.mid.gz', /gzip-compressed but cannot be unzipped/);
  });

  it('a 50 MB file, refused by size', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'studio-midi-'));
    try {
      const file = path.join(dir, 'huge.mid');
      const huge = new Uint8Array(50 * 1024 * 1024);
      huge.set(good);
      await fs.writeFile(file, huge);
      expectBadFile(await fs.readFile(file), 'huge.mid', /50\.0 MB is larger than the 16\.0 MB limit/, 'TOO_LARGE');
      // A gzip bomb: small on disk, huge unzipped.
      expectBadFile(gzipSync(huge), 'bomb.mid.gz', /unzips to more than the 16\.0 MB limit/, 'TOO_LARGE');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
