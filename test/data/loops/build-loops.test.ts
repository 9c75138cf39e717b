import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildLoopDataset } from '../../../server/data/loops/build-loops.js';
import { readLoopDataset, type SkippedEntry } from '../../../server/data/loops/loop-dataset.js';
import { findMidiFiles } from '../../../server/data/loops/find-midi.js';
import { midiToPhrases } from '../../../server/music/midi-in.js';
import { StudioError } from '../../../server/util/errors.js';
import { makeMidi, quarterNotes } from '../../music/midi-fixtures.js';
import { runStudio } from '../../helpers/cli.js';

const PPQ = 480;
const BAR = 4 * PPQ;

/** An 8-bar song with drums, bass, piano, guitar and strings; `shift` transposes it so songs differ. */
function fullSong(shift: number): Uint8Array {
  return makeMidi({
    tempos: [{ ticks: 0, bpm: 100 + shift }],
    tracks: [
      { channel: 9, notes: quarterNotes(36, 32, PPQ, 60) },
      { program: 33, notes: quarterNotes(36 + shift, 32) },
      { program: 0, notes: [...quarterNotes(60 + shift, 16, PPQ, PPQ), ...quarterNotes(62 + shift, 16, PPQ, PPQ, 4 * BAR)] },
      { program: 25, notes: quarterNotes(64 + shift, 32, PPQ, PPQ / 4) },
      { program: 48, channel: 3, notes: [{ midi: 72 + shift, ticks: 0, durationTicks: 8 * BAR }] },
    ],
  });
}

async function write(file: string, bytes: Uint8Array | string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, bytes);
}

async function readJsonl<T>(file: string): Promise<T[]> {
  return (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

describe('loop dataset from a folder of MIDI files', function () {
  let tmp: string;
  let from: string;
  let out: string;

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'studio-loops-'));
    from = path.join(tmp, 'corpus');
    out = path.join(tmp, 'midi-data', 'loops-corpus');
    await write(path.join(from, 'b-song.mid'), fullSong(0));
    await write(path.join(from, 'sub', 'a-song.mid.gz'), gzipSync(fullSong(2)));
    await write(path.join(from, 'sub', 'copy.MID'), fullSong(0)); // exact duplicate of b-song
    await write(path.join(from, 'duo.mid'), makeMidi({ tracks: [{ program: 33, notes: quarterNotes(40, 16) }, { channel: 9, notes: quarterNotes(36, 16) }] }));
    await write(path.join(from, 'bad', 'empty.mid'), new Uint8Array(0));
    await write(path.join(from, 'bad', 'letter.mid'), 'Dear friend,\nthis is not a MIDI file.\n');
    await write(path.join(from, 'bad', 'cut.mid'), fullSong(5).subarray(0, 100));
    await write(path.join(from, 'bad', 'noise.midi'), Uint8Array.from({ length: 999 }, (_, i) => (i * 7919) & 0xff));
    // 50 MB, sparse on disk: refused from its size, never read
    await write(path.join(from, 'bad', 'huge.mid'), '');
    await fs.truncate(path.join(from, 'bad', 'huge.mid'), 50 * 1024 * 1024);
    await write(path.join(from, 'notes.txt'), 'not a MIDI name, ignored');
    await fs.symlink(from, path.join(from, 'sub', 'loop'));
  });

  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('finds MIDI files in a stable order and does not follow folder links', async () => {
    const { files, passedOver } = await findMidiFiles(from);
    assert.deepEqual(files.map((f) => f.relative), [
      'b-song.mid',
      'bad/cut.mid',
      'bad/empty.mid',
      'bad/huge.mid',
      'bad/letter.mid',
      'bad/noise.midi',
      'duo.mid',
      'sub/a-song.mid.gz',
      'sub/copy.MID',
    ]);
    assert.deepEqual(passedOver, [{ source: 'sub/loop', reason: 'symbolic link to a folder, not followed' }]);
    await assert.rejects(findMidiFiles(path.join(tmp, 'nope')), /no such folder/);
  });

  it('keeps the good phrases, skips bad files with reasons, removes duplicates and thin phrases', async () => {
    const events: number[] = [];
    const report = await buildLoopDataset({ sources: [{ name: 'corpus', dir: from }], out, onProgress: (e) => events.push(e.done) });
    assert.equal(report.files, 9);
    assert.equal(report.count, 4, 'two 4-bar phrases from each of the two distinct songs');
    assert.equal(report.duplicates, 2, 'copy.MID repeats b-song.mid');
    assert.equal(report.filesFailed, 5);
    const reasons = Object.fromEntries(report.failures.map((f) => [f.source, f.reason]));
    assert.match(reasons['bad/empty.mid']!, /^bad\/empty\.mid: the file is empty$/);
    assert.match(reasons['bad/letter.mid']!, /text file/);
    assert.match(reasons['bad/cut.mid']!, /truncated/);
    assert.match(reasons['bad/noise.midi']!, /not a MIDI file/);
    assert.match(reasons['bad/huge.mid']!, /50\.0 MB is larger than the 16\.0 MB limit/);
    assert.equal(events[events.length - 1], 9, 'progress reaches the file count');

    const skipped = await readJsonl<SkippedEntry>(path.join(out, 'skipped.jsonl'));
    assert.ok(skipped.some((s) => s.source === 'duo.mid' && /only 2 of 5 tracks .*at least 3 wanted/.test(s.reason)));
    assert.ok(skipped.some((s) => s.source === 'sub/copy.MID' && s.reason === 'duplicate of b-song.mid bar 0'));
    assert.ok(skipped.some((s) => s.source === 'sub/loop'));
    for (const f of report.failures) assert.ok(skipped.some((s) => s.source === f.source && s.reason === f.reason));
  });

  it('reads back the channels-last cells, the shape and the manifest', async () => {
    const ds = readLoopDataset(out);
    assert.equal(ds.count, 4);
    assert.deepEqual(ds.shape, { bars: 4, stepsPerBar: 48, lowestPitch: 24, pitchCount: 84, beatsPerBar: 4, tracks: 5 });
    assert.deepEqual(ds.manifest.map((m) => [m.source, m.barOffset, m.tempoBpm]), [
      ['b-song.mid', 0, 100],
      ['b-song.mid', 4, 100],
      ['sub/a-song.mid.gz', 0, 102],
      ['sub/a-song.mid.gz', 4, 102],
    ]);
    assert.deepEqual(ds.manifest[0]!.families, ['drums', 'bass', 'piano', 'guitar', 'strings']);
    const expected = midiToPhrases(fullSong(0), 'b-song.mid').phrases;
    assert.deepEqual(ds.get(0), expected[0]!.data);
    assert.deepEqual(ds.get(1), expected[1]!.data);
    assert.equal(ds.get(0).length, 4 * 48 * 84 * 5);
    assert.equal(ds.getRoll(2).tempoBpm, 102);
    assert.throws(() => ds.get(4), StudioError);
    assert.equal((await fs.stat(path.join(out, 'segments.bin'))).size, 4 * 10_080);
    assert.match(await fs.readFile(path.join(out, 'LICENSES.md'), 'utf8'), /corpus/);
  });

  it('leaves the previous dataset in place when a build fails', async () => {
    await assert.rejects(buildLoopDataset({ sources: [{ name: 'x', dir: path.join(tmp, 'missing') }], out }), /no such folder/);
    assert.equal(readLoopDataset(out).count, 4);
    await assert.rejects(buildLoopDataset({ sources: [{ name: 'x', dir: from }], out, minTracks: 6 }), /--min-tracks must be 1-5/);
  });

  it('refuses a damaged dataset folder, naming the file', async () => {
    const broken = path.join(tmp, 'broken');
    await fs.cp(out, broken, { recursive: true });
    assert.throws(() => readLoopDataset(path.join(tmp, 'nowhere')), /is not a loop dataset \(no dataset\.json\)/);
    await fs.truncate(path.join(broken, 'segments.bin'), 10_080 * 3 + 5);
    assert.throws(() => readLoopDataset(broken), /segments\.bin: has 30245 bytes; 4 segments of 10080 bytes need 40320/);
    await fs.copyFile(path.join(out, 'segments.bin'), path.join(broken, 'segments.bin'));
    const manifest = await fs.readFile(path.join(out, 'manifest.jsonl'), 'utf8');
    await fs.writeFile(path.join(broken, 'manifest.jsonl'), manifest.split('\n').slice(1).join('\n'));
    assert.throws(() => readLoopDataset(broken), /manifest\.jsonl: has 3 entries, dataset\.json says 4/);
    await fs.writeFile(path.join(broken, 'dataset.json'), '{"format": "studio-loops", "version": 1, ');
    assert.throws(() => readLoopDataset(broken), /dataset\.json: is not valid JSON/);
  });

  it('runs as `studio data loops` and `studio eval loops`', async () => {
    const cliOut = path.join(tmp, 'cli-out');
    const built = await runStudio(['data', 'loops', '--from', from, '--out', cliOut, '--min-tracks', '2', '--quiet']);
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /wrote 5 loop segments to /);
    assert.match(built.stdout, /bad\/letter\.mid: is not a MIDI file/);
    const evaluated = await runStudio(['eval', 'loops', '--data', cliOut, '--quiet']);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const json = JSON.parse(evaluated.stdout);
    assert.equal(json.data.loops, 5);
    assert.equal(json.data.tracks.drums.emptyBarsPercent, 0);
    assert.equal(json.data.tracks.guitar.emptyBarsPercent, 20, 'duo.mid has no guitar: 4 of 20 bars');
    const missing = await runStudio(['eval', 'loops', '--data', path.join(tmp, 'nowhere')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /is not a loop dataset/);
    const noFrom = await runStudio(['data', 'loops', '--bars', 'four']);
    assert.equal(noFrom.code, 2);
    assert.match(noFrom.stderr, /--bars must be a positive whole number, got "four"/);
  });
});
