import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildNoteDataset } from '../../server/data/notes/build.js';
import { MANIFEST_FILE } from '../../server/data/notes/manifest.js';
import { loadModelFolder } from '../../server/checkpoints/folder.js';
import { initBackend } from '../../server/ml/backend.js';
import { tf } from '../../server/ml/tf.js';
import { NoteModel } from '../../server/gansynth/note-model.js';
import { runStudio } from '../helpers/cli.js';
import { metadataStep, startStudio, waitFor } from './helpers/cli-process.js';

describe('studio train notes (CLI, tiny, freshly rendered data)', function () {
  this.timeout(180_000);
  let root = '';
  let data = '';

  before(async () => {
    await initBackend();
    root = mkdtempSync(path.join(tmpdir(), 'studio-train-cli-'));
    data = path.join(root, 'data');
    await buildNoteDataset({ font: 'FluidR3Mono', programs: [0, 73], pitchMin: 55, pitchMax: 60, velocities: [100], seconds: 0.5, out: data });
    // One damaged file must be skipped with its reason, not stop the run.
    const first = readFileSync(path.join(data, MANIFEST_FILE), 'utf8').split('\n')[0]!;
    writeFileSync(path.join(data, JSON.parse(first).wav_file), 'not a wav');
  });

  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('trains into a model folder, refuses to overwrite it, and --resume trains on to a new --steps', async () => {
    const model = path.join(root, 'model');
    const common = ['train', 'notes', '--data', data, '--preset', 'tiny', '--out', model, '--workers', '1', '--quiet'];
    const first = await runStudio([...common, '--steps', '2']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /skipped audio\/\S+\.wav: .*not a WAV file/);
    assert.equal(JSON.parse(first.stdout).step, 2);
    const taken = await runStudio([...common, '--steps', '4']);
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /already exists; pass --resume to continue its training or --force/);
    // The mode-seeking weight may change on --resume (fine-tuning a trained model with it), and the log says so.
    const resumed = await runStudio([...common, '--steps', '4', '--resume', '--mode-seeking-weight', '0.5']);
    assert.equal(JSON.parse(resumed.stdout).step, 4, resumed.stderr);
    assert.match(resumed.stderr, /modeSeekingWeight 0\.5 from here on \(the run had 0\)/);
    assert.equal(metadataStep(model), 4);
    assert.equal(JSON.parse(readFileSync(path.join(model, 'metadata.json'), 'utf8')).config.modeSeekingWeight, 0.5);
    const stepLines = readFileSync(path.join(model, 'losses.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === undefined);
    assert.deepEqual(stepLines.map((l) => l.modeSeekingRatio > 0), [false, false, true, true], 'measured only once the term is on');
    assert.deepEqual(readdirSync(path.join(model, 'previews')).sort(), ['step-000002', 'step-000004']);
  });

  it('with 2 workers: checkpoints on SIGINT and exits 130; after SIGKILL mid-run the folder loads, generates and resumes', async () => {
    const run = path.join(root, 'killed');
    const args = ['train', 'notes', '--data', data, '--preset', 'tiny', '--out', run, '--steps', '100000', '--checkpoint-every', '1', '--workers', '2', '--quiet'];
    const interrupted = startStudio(args);
    await waitFor(() => metadataStep(run) >= 2, 90_000);
    interrupted.child.kill('SIGINT');
    const stopped = await interrupted.exited;
    assert.equal(stopped.code, 130, stopped.stderr);
    const atStop = JSON.parse(stopped.stdout);
    assert.equal(atStop.stoppedBy, 'signal');
    assert.equal(metadataStep(run), atStop.step, 'the checkpoint holds the step it stopped at');

    // Checkpointing every step, a kill most likely lands inside a save.
    const killed = startStudio([...args, '--resume']);
    await waitFor(() => metadataStep(run) >= atStop.step + 2, 90_000);
    await new Promise((r) => setTimeout(r, 37));
    killed.child.kill('SIGKILL');
    await killed.exited;
    const folder = await loadModelFolder(run, { training: true });
    const step = folder.metadata.step;
    assert.ok(step > atStop.step);
    tf.dispose([folder.weights, folder.training!.weights]);
    const model = await NoteModel.load(run);
    assert.equal(model.generate({ pitches: [60], seed: 1 })[0]!.length, 8000);
    model.dispose();
    const resumed = await runStudio(['train', 'notes', '--data', data, '--out', run, '--resume', '--preset', 'tiny', '--steps', String(step + 1), '--workers', '2', '--quiet']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).step, step + 1);
  });
});
