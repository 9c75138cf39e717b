import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../../server/ml/backend.js';
import { LoopGan } from '../../server/musegan/loop-gan.js';
import { saveLoopCheckpoint } from '../../server/musegan/checkpoint.js';
import { loopSpecFromPreset } from '../../server/musegan/spec.js';
import { loopTrainDefaults } from '../../server/musegan/train-config.js';
import { midiToPhrases } from '../../server/music/midi-in.js';
import { rollToMidi } from '../../server/music/midi-out.js';
import { getTrack } from '../../server/music/roll.js';
import { decodeWav } from '../../server/audio/wav.js';
import { runStudio } from '../helpers/cli.js';
import { ToneMidi } from '../music/midi-fixtures.js';
import { grooveDataset, grooveRoll, tempDir } from './fixtures.js';

describe('studio generate loop / eval loops --model (CLI, tiny)', function () {
  this.timeout(240_000);
  let tmp = '';
  let model = '';

  before(async () => {
    await initBackend();
    tmp = await tempDir('studio-loop-gen-');
    model = path.join(tmp, 'model');
    const spec = loopSpecFromPreset('tiny');
    const gan = new LoopGan(spec, loopTrainDefaults('tiny'));
    const now = new Date().toISOString();
    await saveLoopCheckpoint(model, {
      gan,
      state: { step: 0, trainingSeconds: 0 },
      metadata: { kind: 'loops', formatVersion: 1, preset: 'tiny', step: 0, createdAt: now, updatedAt: now, config: loopTrainDefaults('tiny'), dataset: null, metrics: {} },
      lossesJsonl: '',
      previews: {},
    });
    gan.dispose();
  });

  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('same seed, same bytes: a DAW-ready MIDI loop of the asked length and tempo', async () => {
    const a = path.join(tmp, 'a.mid');
    const b = path.join(tmp, 'b.mid');
    const args = ['generate', 'loop', '--model', model, '--bars', '8', '--tempo', '96', '--seed', '7', '--threshold', '0.02'];
    const first = await runStudio([...args, '--out', a, '--json']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).bars, 8);
    assert.equal((await runStudio([...args, '--out', b])).code, 0);
    assert.deepEqual(await fs.readFile(b), await fs.readFile(a));
    const midi = new ToneMidi(await fs.readFile(a));
    assert.equal(Math.round(midi.header.tempos[0]!.bpm), 96);
    assert.deepEqual(midi.header.timeSignatures[0]!.timeSignature, [4, 4]);
    const drums = midi.tracks.find((t) => t.channel === 9);
    assert.ok(drums && drums.notes.length > 0, 'drums on channel 10');
    assert.ok(midi.tracks.filter((t) => t.notes.length > 0).length >= 4, 'several named instrument tracks');
    const phrases = midiToPhrases(await fs.readFile(a), 'a.mid', { bars: 8 }).phrases;
    assert.equal(phrases.length, 1, 'exactly 8 bars long');
  });

  it('invalid options exit non-zero with a clear message and write nothing', async () => {
    const out = path.join(tmp, 'never.mid');
    const cases: [string[], RegExp][] = [
      [['--bars', '0'], /--bars must be between 1 and 64, got 0/],
      [['--tempo', '0'], /--tempo must be a number above 0/],
      [['--tracks', 'drums,kazoo'], /--tracks: unknown track "kazoo"/],
      [['--threshold', '1.5'], /--threshold must be a number above 0 and at most/],
      [['--key', 'C'], /--key and --scale go together/],
      [['--condition', path.join(tmp, 'x.mid')], /--condition FILE\.mid and --track NAME go together/],
      [['--condition', path.join(tmp, 'missing.mid'), '--track', 'piano'], /cannot read .*missing\.mid/],
    ];
    for (const [extra, message] of cases) {
      const result = await runStudio(['generate', 'loop', '--model', model, '--out', out, ...extra]);
      assert.notEqual(result.code, 0, extra.join(' '));
      assert.match(result.stderr, message);
    }
    const noModel = await runStudio(['generate', 'loop', '--model', path.join(tmp, 'nope'), '--out', out]);
    assert.match(noModel.stderr, /is not a model folder/);
    await assert.rejects(fs.stat(out), 'no file written');
  });

  it('fits generated tracks to a given part, regenerates chosen tracks of a loop, and renders seamless stems', async () => {
    const groove = path.join(tmp, 'groove.mid');
    await fs.writeFile(groove, rollToMidi(grooveRoll(5)));
    const given = getTrack(midiToPhrases(await fs.readFile(groove), 'groove.mid').phrases[0]!, 'piano');

    const accompanied = path.join(tmp, 'accompanied.mid');
    const stems = path.join(tmp, 'stems');
    const result = await runStudio(['generate', 'loop', '--model', model, '--condition', groove, '--track', 'piano', '--threshold', '0.02', '--tempo', '120', '--out', accompanied, '--stems', stems]);
    assert.equal(result.code, 0, result.stderr);
    const roll = midiToPhrases(await fs.readFile(accompanied), 'accompanied.mid').phrases[0]!;
    assert.deepEqual(getTrack(roll, 'piano'), given, 'the given piano part is kept note for note');
    const files = (await fs.readdir(stems)).sort();
    assert.ok(files.includes('mix.wav') && files.includes('piano.wav') && files.includes('drums.wav'), files.join(', '));
    for (const file of files) {
      const wav = decodeWav(await fs.readFile(path.join(stems, file)), file);
      assert.equal(wav.sampleRate, 44100);
      assert.equal(wav.channels.length, 2);
      assert.equal(wav.channels[0]!.length, 4 * 2 * 44100, `${file}: exactly 4 bars at 120 bpm`);
      assert.ok(wav.channels[0]!.some((v) => Math.abs(v) > 0.01), `${file} is not silent`);
    }

    const redone = path.join(tmp, 'redone.mid');
    const regen = await runStudio(['generate', 'loop', '--model', model, '--from', groove, '--regenerate', 'guitar', '--seed', '3', '--threshold', '0.02', '--out', redone]);
    assert.equal(regen.code, 0, regen.stderr);
    const before = midiToPhrases(await fs.readFile(groove), 'groove.mid').phrases[0]!;
    const after = midiToPhrases(await fs.readFile(redone), 'redone.mid').phrases[0]!;
    for (const family of ['drums', 'bass', 'piano', 'strings'] as const) assert.deepEqual(getTrack(after, family), getTrack(before, family), `${family} kept`);
    assert.notDeepEqual(getTrack(after, 'guitar'), getTrack(before, 'guitar'), 'guitar regenerated');
  });

  it('eval loops --model prints the model metrics beside the data, with relative gaps', async () => {
    const data = await grooveDataset(tmp, [0, 4]);
    const result = await runStudio(['eval', 'loops', '--data', data, '--model', model, '--count', '6', '--threshold', '0.02', '--quiet']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.data.loops, 2);
    assert.equal(report.model.loops, 6);
    const qn = report.relativeGap.tracks.bass.qualifiedNotesPercent;
    const expected = Math.abs(report.model.tracks.bass.qualifiedNotesPercent - report.data.tracks.bass.qualifiedNotesPercent) / report.data.tracks.bass.qualifiedNotesPercent;
    assert.ok(Math.abs(qn - expected) < 1e-9);
    assert.equal(report.relativeGap.tracks.drums.drumPatternPercent !== undefined, true);
    const table = await runStudio(['eval', 'loops', '--data', data, '--model', model, '--count', '2', '--table', '--quiet']);
    assert.match(table.stdout, /data\s+model/);
  });
});
