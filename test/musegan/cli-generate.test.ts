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
import { getTrack, trackIsEmpty } from '../../server/music/roll.js';
import { decodeWav } from '../../server/audio/wav.js';
import { runStudio } from '../helpers/cli.js';
import { runStudioInProcess } from '../helpers/cli.js';
import { ToneMidi } from '../music/midi-fixtures.js';
import { grooveDataset, grooveRoll, tempDir } from './fixtures.js';

const studio = runStudioInProcess;

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
    assert.equal((await studio([...args, '--out', b])).code, 0);
    assert.deepEqual(await fs.readFile(b), await fs.readFile(a), 'another process, the same bytes');
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
    const viaProcess = await runStudio(['generate', 'loop', '--model', model, '--out', out, '--bars', '0']);
    assert.equal(viaProcess.code, 2);
    assert.match(viaProcess.stderr, /--bars must be between 1 and 64, got 0/);
    for (const [extra, message] of cases) {
      const result = await studio(['generate', 'loop', '--model', model, '--out', out, ...extra]);
      assert.notEqual(result.code, 0, extra.join(' '));
      assert.match(result.stderr, message);
    }
    const noModel = await studio(['generate', 'loop', '--model', path.join(tmp, 'nope'), '--out', out]);
    assert.match(noModel.stderr, /is not a model folder/);
    await assert.rejects(fs.stat(out), 'no file written');
  });

  it('fits generated tracks to a given part, regenerates chosen tracks of a loop, and writes stems on request', async () => {
    const groove = path.join(tmp, 'groove.mid');
    await fs.writeFile(groove, rollToMidi(grooveRoll(5)));
    const given = getTrack(midiToPhrases(await fs.readFile(groove), 'groove.mid').phrases[0]!, 'piano');

    const accompanied = path.join(tmp, 'accompanied.mid');
    const stems = path.join(tmp, 'stems');
    const result = await studio(['generate', 'loop', '--model', model, '--condition', groove, '--track', 'piano', '--threshold', '0.05', '--tempo', '120', '--out', accompanied]);
    assert.equal(result.code, 0, result.stderr);
    const roll = midiToPhrases(await fs.readFile(accompanied), 'accompanied.mid').phrases[0]!;
    assert.deepEqual(getTrack(roll, 'piano'), given, 'the given piano part is kept note for note');
    // Stems of a lean loop: the given piano and generated drums only (the renderer has its own tests).
    const duo = await studio(['generate', 'loop', '--model', model, '--condition', groove, '--track', 'piano', '--tracks', 'drums,piano', '--threshold', '0.1', '--out', path.join(tmp, 'duo.mid'), '--stems', stems]);
    assert.equal(duo.code, 0, duo.stderr);
    // One stem per sounding track of the written loop (piano is given; drums only if the tiny model played any).
    const duoRoll = midiToPhrases(await fs.readFile(path.join(tmp, 'duo.mid')), 'duo.mid').phrases[0]!;
    const sounding = (['drums', 'piano'] as const).filter((t) => !trackIsEmpty(duoRoll, t)).map((t) => `${t}.wav`);
    assert.ok(sounding.includes('piano.wav'));
    assert.deepEqual((await fs.readdir(stems)).sort(), [...sounding, 'mix.wav'].sort());
    const piano = decodeWav(await fs.readFile(path.join(stems, 'piano.wav')), 'piano.wav');
    assert.equal(piano.channels[0]!.length, 4 * 2 * 44100, 'exactly 4 bars at 120 bpm');

    const redone = path.join(tmp, 'redone.mid');
    const regen = await studio(['generate', 'loop', '--model', model, '--from', groove, '--regenerate', 'guitar', '--seed', '3', '--threshold', '0.02', '--out', redone]);
    assert.equal(regen.code, 0, regen.stderr);
    const before = midiToPhrases(await fs.readFile(groove), 'groove.mid').phrases[0]!;
    const after = midiToPhrases(await fs.readFile(redone), 'redone.mid').phrases[0]!;
    for (const family of ['drums', 'bass', 'piano', 'strings'] as const) assert.deepEqual(getTrack(after, family), getTrack(before, family), `${family} kept`);
    assert.notDeepEqual(getTrack(after, 'guitar'), getTrack(before, 'guitar'), 'guitar regenerated');
  });

  it('eval loops --model prints the model metrics beside the data, with relative gaps', async () => {
    const data = await grooveDataset(tmp, [0, 4]);
    const result = await studio(['eval', 'loops', '--data', data, '--model', model, '--count', '6', '--threshold', '0.02', '--quiet', '--save']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.data.loops, 2);
    assert.equal(report.model.loops, 6);
    const qn = report.relativeGap.tracks.bass.qualifiedNotesPercent;
    const expected = Math.abs(report.model.tracks.bass.qualifiedNotesPercent - report.data.tracks.bass.qualifiedNotesPercent) / report.data.tracks.bass.qualifiedNotesPercent;
    assert.ok(Math.abs(qn - expected) < 1e-9);
    const saved = JSON.parse(await fs.readFile(path.join(model, 'metadata.json'), 'utf8')).metrics.eval;
    assert.deepEqual(saved.model, report.model, '--save records the figures in metadata.json');
    const table = await studio(['eval', 'loops', '--data', data, '--model', model, '--count', '2', '--table', '--quiet']);
    assert.match(table.stdout, /data\s+model/);
  });
});
