import { strict as assert } from 'node:assert';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { tf } from '../../server/ml/tf.js';
import { initBackend } from '../../server/ml/backend.js';
import { loadModelFolder } from '../../server/checkpoints/folder.js';
import { LoopModel } from '../../server/musegan/loop-model.js';
import { runStudio } from '../helpers/cli.js';
import { metadataStep, startStudio, waitFor } from '../gansynth/helpers/cli-process.js';
import { grooveDataset, tempDir } from './fixtures.js';

describe('studio train loops (CLI, tiny, built dataset)', function () {
  this.timeout(240_000);
  let tmp = '';
  let data = '';
  const small = ['--preset', 'tiny', '--batch-size', '2', '--critic-steps', '1', '--workers', '1', '--quiet'];

  before(async () => {
    await initBackend();
    tmp = await tempDir('studio-loops-cli-');
    data = await grooveDataset(tmp, [0, 2, 5, 7]);
  });

  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('trains into a model folder, refuses to overwrite it, and --resume trains on; bad options fail fast', async () => {
    const model = path.join(tmp, 'model');
    const common = ['train', 'loops', '--data', data, '--out', model, ...small];
    const first = await runStudio([...common, '--steps', '2']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).step, 2);
    assert.match(first.stderr, /training tiny \(hybrid\) on 4 phrases/);
    const taken = await runStudio([...common, '--steps', '3']);
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /already exists; pass --resume to continue its training or --force/);
    const resumed = await runStudio([...common, '--steps', '3', '--resume']);
    assert.equal(JSON.parse(resumed.stdout).step, 3, resumed.stderr);
    assert.deepEqual(readdirSync(path.join(model, 'previews')).sort(), ['step-000002', 'step-000003']);
    assert.equal(JSON.parse(readFileSync(path.join(model, 'spec.json'), 'utf8')).generator.activityGate, true, 'new models have the activity gate');
    const gateless = path.join(tmp, 'gateless');
    const plain = await runStudio(['train', 'loops', '--data', data, '--out', gateless, ...small, '--steps', '1', '--no-activity-gate', '--no-bar-chroma']);
    assert.equal(plain.code, 0, plain.stderr);
    const plainSpec = JSON.parse(readFileSync(path.join(gateless, 'spec.json'), 'utf8'));
    assert.deepEqual([plainSpec.generator.activityGate, plainSpec.critic.barChroma], [false, false]);
    assert.equal(JSON.parse(readFileSync(path.join(model, 'spec.json'), 'utf8')).critic.barChroma, true, 'new critics read the bar chroma');
    const unweighted = path.join(tmp, 'unweighted');
    const noRate = await runStudio(['train', 'loops', '--data', data, '--out', unweighted, ...small, '--steps', '1', '--gate-rate-weight', '0', '--pitch-class-weight', '0']);
    assert.equal(noRate.code, 0, noRate.stderr);
    const unweightedMeta = JSON.parse(readFileSync(path.join(unweighted, 'metadata.json'), 'utf8'));
    assert.deepEqual([unweightedMeta.config.gateRateWeight, unweightedMeta.config.pitchClassWeight], [0, 0]);
    assert.equal(unweightedMeta.dataset.usedPitchClassesPerBar, undefined, 'no targets recorded for a loss that is off');
    // Fine-tuning: the losses' weights may change on --resume (other settings stay the run's own).
    const tuned = await runStudio(['train', 'loops', '--data', data, '--out', unweighted, ...small, '--steps', '2', '--resume', '--pitch-class-weight', '2', '--seed', '9']);
    assert.equal(tuned.code, 0, tuned.stderr);
    assert.match(tuned.stderr, /pitchClassWeight 2 from here on \(the run had 0\)/);
    assert.match(tuned.stderr, /--seed ignored on --resume/);
    const tunedMeta = JSON.parse(readFileSync(path.join(unweighted, 'metadata.json'), 'utf8'));
    assert.deepEqual([tunedMeta.step, tunedMeta.config.pitchClassWeight, tunedMeta.config.gateRateWeight, tunedMeta.config.seed], [2, 2, 0, 0]);
    assert.equal(tunedMeta.dataset.usedPitchClassesPerBar.drums, null, 'the targets are recorded once the loss is on');
    const modelMeta = JSON.parse(readFileSync(path.join(model, 'metadata.json'), 'utf8'));
    assert.deepEqual([modelMeta.config.gateRateWeight, modelMeta.config.pitchClassWeight, modelMeta.config.tonalWeight], [10, 1, 1], 'on by default');
    assert.equal(Object.keys(modelMeta.dataset.tonalDistance).length, 6, "the data's tonal distance per pair of pitched tracks");
    assert.equal(modelMeta.dataset.usedPitchClassesPerBar.drums, null);

    for (const [args, message] of [
      [['--steps', '0'], /--steps must be between 1 and/],
      [['--design', 'duet'], /--design must be one of jamming, composer, hybrid/],
      [['--gate-rate-weight', '-1'], /--gate-rate-weight must be a number above 0/],
      [['--pitch-class-weight', 'lots'], /--pitch-class-weight must be a number/],
      [['--tonal-weight', '-2'], /--tonal-weight must be a number/],
      [['--data', path.join(tmp, 'nowhere')], /is not a loop dataset/],
    ] as const) {
      const bad = await runStudio(['train', 'loops', '--data', data, '--out', path.join(tmp, 'never'), ...small, ...args]);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, message);
    }
    await assert.rejects(fs.stat(path.join(tmp, 'never')));
  });

  it('checkpoints on SIGTERM and exits 143; after SIGKILL mid-run the folder loads, generates and resumes', async () => {
    const run = path.join(tmp, 'killed');
    const args = ['train', 'loops', '--data', data, '--out', run, '--steps', '100000', '--checkpoint-every', '1', ...small];
    const stopped = startStudio(args);
    await waitFor(() => metadataStep(run) >= 1, 120_000);
    stopped.child.kill('SIGTERM');
    const end = await stopped.exited;
    assert.equal(end.code, 143, end.stderr);
    const atStop = JSON.parse(end.stdout);
    assert.equal(atStop.stoppedBy, 'signal');
    assert.equal(metadataStep(run), atStop.step, 'the checkpoint holds the step it stopped at');

    // Checkpointing every step, a kill most likely lands inside a save.
    const killed = startStudio([...args, '--resume']);
    await waitFor(() => metadataStep(run) >= atStop.step + 2, 120_000);
    await new Promise((r) => setTimeout(r, 37));
    killed.child.kill('SIGKILL');
    await killed.exited;
    const folder = await loadModelFolder(run, { training: true });
    const step = folder.metadata.step;
    tf.dispose([folder.weights, folder.training!.weights]);
    assert.ok(step > atStop.step);
    const model = await LoopModel.load(run);
    assert.equal(model.generate({ seed: 1 }).bars, 4);
    model.dispose();
    const resumed = await runStudio(['train', 'loops', '--data', data, '--out', run, '--resume', '--steps', String(step + 1), ...small]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).step, step + 1);
  });
});
