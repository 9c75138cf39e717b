import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importNoteFolder } from '../../../server/data/notes/import.js';
import { readNoteManifest } from '../../../server/data/notes/manifest.js';
import { encodeWav } from '../../../server/audio/wav.js';
import { resample } from '../../../server/audio/resample.js';
import { StudioError } from '../../../server/util/errors.js';
import { renderTestNote } from '../../audio/rendered-notes.js';

function noise(n: number): Float32Array {
  let s = 12345;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648 - 0.5) * 0.5;
  });
}

async function write(file: string, data: Uint8Array | string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
}

describe('data/notes/import', function () {
  this.timeout(60_000);
  let tmp: string;
  let goodWav: Uint8Array;
  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'studio-import-'));
    goodWav = encodeWav(await renderTestNote(24, 55, 0.5), { sampleRate: 16000 });
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('imports an NSynth folder, listing and skipping the bad entries', async () => {
    const from = path.join(tmp, 'nsynth-valid');
    const entry = (noteStr: string, pitch: unknown, extra: object = {}) => ({
      note_str: noteStr,
      pitch,
      velocity: 75,
      instrument: 7,
      instrument_str: noteStr.slice(0, -8),
      instrument_family: 3,
      instrument_family_str: 'guitar',
      instrument_source: 0,
      instrument_source_str: 'acoustic',
      sample_rate: 16000,
      qualities: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      ...extra,
    });
    const examples = {
      'guitar_acoustic_007-055-075': entry('guitar_acoustic_007-055-075', 55),
      'guitar_acoustic_007-057-075': entry('guitar_acoustic_007-057-075', 57),
      'guitar_acoustic_007-059-075': entry('guitar_acoustic_007-059-075', 59), // WAV truncated
      'guitar_acoustic_007-060-075': entry('guitar_acoustic_007-060-075', 60), // WAV missing
      'guitar_acoustic_007-062-075': entry('guitar_acoustic_007-062-075', 'sixty-two'),
      '../../etc/passwd': entry('../../etc/passwd', 60),
    };
    await write(path.join(from, 'examples.json'), JSON.stringify(examples));
    await write(path.join(from, 'audio/guitar_acoustic_007-055-075.wav'), goodWav);
    await write(path.join(from, 'audio/guitar_acoustic_007-057-075.wav'), goodWav);
    await write(path.join(from, 'audio/guitar_acoustic_007-059-075.wav'), goodWav.subarray(0, 500));
    await write(path.join(from, 'audio/guitar_acoustic_007-062-075.wav'), goodWav);
    await write(path.join(from, 'audio/unlisted-001-001.wav'), goodWav);

    const out = path.join(tmp, 'out-nsynth');
    const summary = await importNoteFolder({ from, out });
    assert.equal(summary.kind, 'nsynth');
    assert.equal(summary.imported, 2);
    const reasons = Object.fromEntries(summary.skipped.map((s) => [s.file, s.reason]));
    assert.match(reasons['audio/guitar_acoustic_007-059-075.wav']!, /truncated/);
    assert.match(reasons['audio/guitar_acoustic_007-060-075.wav']!, /missing/);
    assert.match(reasons['audio/guitar_acoustic_007-062-075.wav']!, /no valid pitch/);
    assert.match(reasons['examples.json["../../etc/passwd"]']!, /not a safe file name/);
    assert.match(reasons['audio/unlisted-001-001.wav']!, /not listed/);
    assert.equal(summary.skipped.length, 5);

    const rows = await readNoteManifest(out);
    assert.deepEqual(rows.map((r) => [r.noteStr, r.pitch, r.velocity, r.instrument, r.instrumentFamilyStr, r.source, r.pitchFrom]), [
      ['guitar_acoustic_007-055-075', 55, 75, 7, 'guitar', 'nsynth', 'metadata'],
      ['guitar_acoustic_007-057-075', 57, 75, 7, 'guitar', 'nsynth', 'metadata'],
    ]);
    // Bytes are copied as they were.
    assert.ok((await fs.readFile(path.join(out, rows[0]!.wavFile))).equals(Buffer.from(goodWav)));
    const skippedLog = (await fs.readFile(path.join(out, 'skipped.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(skippedLog.length, 5);
  });

  it('falls back to NSynth file names when examples.json is damaged, and says so', async () => {
    const from = path.join(tmp, 'nsynth-damaged');
    await write(path.join(from, 'examples.json'), '{"guitar_acoustic_007-055-075": {"pitch": 55,');
    await write(path.join(from, 'audio/guitar_acoustic_007-055-075.wav'), goodWav);
    const summary = await importNoteFolder({ from, out: path.join(tmp, 'out-damaged') });
    assert.equal(summary.imported, 1);
    assert.equal(summary.skipped.length, 1);
    assert.equal(summary.skipped[0]!.file, 'examples.json');
    assert.match(summary.skipped[0]!.reason, /unusable .*imported the WAVs by file name instead/);
    const [row] = await readNoteManifest(path.join(tmp, 'out-damaged'));
    assert.deepEqual([row!.pitch, row!.velocity, row!.pitchFrom], [55, 75, 'filename']);
  });

  it('imports a plain WAV folder: pitch from names, else estimated; bad files listed with reasons', async () => {
    const from = path.join(tmp, 'My Samples');
    const note = await renderTestNote(0, 64, 0.6); // E4 piano
    const at44k = resample(note, 16000, 44100);
    await write(path.join(from, 'Piano/C4.wav'), encodeWav(note, { sampleRate: 16000 })); // the name wins
    await write(path.join(from, 'Piano/take 1.wav'), encodeWav([at44k, at44k], { sampleRate: 44100, bitDepth: 24 }));
    await write(path.join(from, 'Bass/bass_midi40_v90.wav'), encodeWav(note, { sampleRate: 16000 }));
    await write(path.join(from, 'Bass/noise.wav'), encodeWav(noise(16000), { sampleRate: 16000 }));
    await write(path.join(from, 'Bass/broken.wav'), goodWav.subarray(0, 300));
    await write(path.join(from, 'Bass/empty.wav'), '');
    await write(path.join(from, 'readme.txt'), 'notes from my sampler');

    const out = path.join(tmp, 'out-wavs');
    const summary = await importNoteFolder({ from, out });
    assert.equal(summary.kind, 'wav');
    const reasons = Object.fromEntries(summary.skipped.map((s) => [s.file, s.reason]));
    assert.deepEqual(Object.keys(reasons).sort(), ['Bass/broken.wav', 'Bass/empty.wav', 'Bass/noise.wav', 'readme.txt']);
    assert.match(reasons['Bass/noise.wav']!, /no clear pitch/);
    assert.match(reasons['Bass/broken.wav']!, /truncated/);
    assert.match(reasons['Bass/empty.wav']!, /empty/);
    assert.match(reasons['readme.txt']!, /not a \.wav/);

    const rows = await readNoteManifest(out);
    const byName = Object.fromEntries(rows.map((r) => [r.noteStr, r]));
    assert.deepEqual(Object.keys(byName).sort(), ['bass-040-090', 'piano-060-100', 'piano-064-100']);
    assert.equal(byName['piano-060-100']!.pitchFrom, 'filename');
    assert.equal(byName['piano-064-100']!.pitchFrom, 'estimated');
    assert.equal(byName['piano-064-100']!.sampleRate, 44100);
    assert.equal(byName['piano-064-100']!.instrumentFamilyStr, 'keyboard');
    assert.equal(byName['bass-040-090']!.instrumentFamilyStr, 'bass');
    assert.notEqual(byName['bass-040-090']!.instrument, byName['piano-060-100']!.instrument);
  });

  it('refuses an output folder inside the source and a folder with nothing usable', async () => {
    const from = path.join(tmp, 'My Samples');
    await assert.rejects(importNoteFolder({ from, out: path.join(from, 'out') }), /inside the folder being imported/);
    const junk = path.join(tmp, 'junk');
    await write(path.join(junk, 'a.wav'), 'RIFF nonsense');
    await assert.rejects(importNoteFolder({ from: junk, out: path.join(tmp, 'junk-out') }), (e: unknown) => e instanceof StudioError && /no usable notes.*a\.wav/s.test(e.message));
    await assert.rejects(fs.stat(path.join(tmp, 'junk-out')), /ENOENT/);
  });
});
