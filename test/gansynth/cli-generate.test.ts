import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildNoteDataset } from '../../server/data/notes/build.js';
import { initBackend } from '../../server/ml/backend.js';
import { noteModelSpec } from '../../server/gansynth/spec.js';
import { trainDefaultsFor } from '../../server/gansynth/train-config.js';
import { loadNoteDataset } from '../../server/gansynth/load-notes.js';
import { trainNoteModel } from '../../server/gansynth/trainer.js';
import { chooseTimbreClasses } from '../../server/gansynth/timbre-classes.js';
import { buildProgram } from '../../server/cli/main.js';
import { runStudio } from '../helpers/cli.js';

describe('studio generate note / instrument, eval notes (CLI, tiny)', function () {
  this.timeout(180_000);
  let root = '';
  let data = '';
  let model = '';

  before(async () => {
    await initBackend();
    root = mkdtempSync(path.join(tmpdir(), 'studio-generate-cli-'));
    data = path.join(root, 'data');
    model = path.join(root, 'models', 'notes-tiny');
    await buildNoteDataset({ font: 'FluidR3Mono', programs: [0, 73], pitchMin: 48, pitchMax: 60, velocities: [100], seconds: 0.5, out: data });
    const tiny = noteModelSpec('tiny');
    const notes = await loadNoteDataset(data, tiny);
    // Conditioned on the two instruments, as `studio train notes` does by default.
    const spec = { ...tiny, timbreClasses: chooseTimbreClasses(notes, tiny.latentSize) };
    await trainNoteModel({ outDir: model, data: notes, spec, config: { ...trainDefaultsFor('tiny'), steps: 2 } });
  });

  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('generates the same bytes for the same seed, by folder or by model id', async () => {
    const a = path.join(root, 'a.wav');
    const b = path.join(root, 'b.wav');
    const byDir = await runStudio(['generate', 'note', '--model', model, '--pitch', '60', '--seed', '3', '--out', a]);
    assert.equal(byDir.code, 0, byDir.stderr);
    const byId = await runStudio(['generate', 'note', '--model', 'notes-tiny', '--pitch', '60', '--seed', '3', '--out', b], {
      env: { STUDIO_MODELS_DIR: path.join(root, 'models') },
    });
    assert.equal(byId.code, 0, byId.stderr);
    assert.ok(readFileSync(a).equals(readFileSync(b)));
    assert.equal(readFileSync(a).readUInt32LE(24), 48000, '48 kHz by default');
    assert.equal(readFileSync(a).readUInt16LE(34), 24, '24-bit by default');
  });

  it('rejects a pitch outside 24-84, an unknown model, or clashing options, and writes nothing', async () => {
    const out = path.join(root, 'bad.wav');
    const high = await runStudio(['generate', 'note', '--model', model, '--pitch', '90', '--out', out]);
    assert.notEqual(high.code, 0);
    assert.match(high.stderr, /pitch 90 is outside this model's range: MIDI 24-84/);
    const unknown = await runStudio(['generate', 'note', '--model', 'no-such-model', '--pitch', '60', '--out', out]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown model "no-such-model"/);
    const clash = await runStudio(['generate', 'note', '--model', model, '--pitch', '60', '--seed', '1', '--interpolate', '1,2', '--out', out]);
    assert.notEqual(clash.code, 0);
    assert.match(clash.stderr, /use one of --seed, --latent and --interpolate/);
    assert.ok(!existsSync(out));
  });

  it('picks the instrument of the timbre with --instrument, and names the model\'s instruments when it is unknown', async () => {
    const spec = JSON.parse(readFileSync(path.join(model, 'spec.json'), 'utf8'));
    assert.deepEqual(spec.timbreClasses.classes, ['flute_fluid_073', 'keyboard_fluid_000']);
    const files = await Promise.all(
      ['keyboard_fluid_000', 'flute_fluid_073'].map(async (instrument) => {
        const out = path.join(root, `${instrument}.wav`);
        const run = await runStudio(['generate', 'note', '--model', model, '--pitch', '60', '--seed', '5', '--instrument', instrument, '--out', out]);
        assert.equal(run.code, 0, run.stderr);
        return readFileSync(out);
      }),
    );
    assert.ok(!files[0]!.equals(files[1]!), 'another instrument, another note');
    const out = path.join(root, 'kazoo.wav');
    const unknown = await runStudio(['generate', 'note', '--model', model, '--pitch', '60', '--instrument', 'kazoo', '--out', out]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown instrument "kazoo"; this model knows flute_fluid_073, keyboard_fluid_000/);
    assert.ok(!existsSync(out));
    const inst = path.join(root, 'kazoo-inst');
    const instrument = await runStudio(['generate', 'instrument', '--model', model, '--instrument', 'kazoo', '--pitches', '58-60', '--out', inst, '--quiet']);
    assert.notEqual(instrument.code, 0);
    assert.ok(!existsSync(inst));
  });

  it('walks between two timbres, and exports a sampler instrument with velocity layers', async () => {
    const walk = await runStudio(['generate', 'note', '--model', model, '--pitch', '55', '--interpolate', '1,2', '--steps', '3', '--out', path.join(root, 'walk.wav')]);
    assert.equal(walk.code, 0, walk.stderr);
    assert.deepEqual(readdirSync(root).filter((f) => f.startsWith('walk')).sort(), ['walk-1.wav', 'walk-2.wav', 'walk-3.wav']);
    const inst = path.join(root, 'piano');
    const result = await runStudio(['generate', 'instrument', '--model', model, '--seed', '4', '--pitches', '58-60', '--velocities', '64,127', '--out', inst, '--quiet']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readdirSync(inst).sort(), ['piano.sfz', 'piano.zip', 'samples']);
    assert.equal(readdirSync(path.join(inst, 'samples')).length, 6);
    assert.match(readFileSync(path.join(inst, 'piano.sfz'), 'utf8'), /<region> sample=samples\/p059_v127\.wav lokey=59 hikey=59 pitch_keycenter=59/);
  });

  it('evaluates the model against the data as JSON, with the real held-out ceiling', async () => {
    const result = await runStudio(['eval', 'notes', '--model', model, '--data', data, '--k', '4', '--held-out', '0.4', '--quiet']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.k, 4);
    assert.deepEqual(report.counts, { reference: 16, heldOut: 10, generated: 10 });
    assert.ok(report.realHeldOut.pitchAccuracy >= 0.9, 'rendered notes are in tune');
    for (const key of ['pitchAccuracy', 'ndbOverK', 'frechetDistance']) assert.equal(typeof report.generated[key], 'number');
  });

  it('has --help on every note command', () => {
    const program = buildProgram();
    for (const [group, name] of [['train', 'notes'], ['generate', 'note'], ['generate', 'instrument'], ['eval', 'notes']] as const) {
      const command = program.commands.find((c) => c.name() === group)!.commands.find((c) => c.name() === name)!;
      assert.match(command.helpInformation(), new RegExp(`Usage: studio ${group} ${name} \\[options\\]`));
    }
  });
});
