import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { tf } from '../../server/ml/tf.js';
import { initBackend } from '../../server/ml/backend.js';
import { loadLoopData } from '../../server/musegan/phrase-data.js';
import { trainLoopModel } from '../../server/musegan/trainer.js';
import { usedPitchClassesPerBar } from '../../server/musegan/bar-pitch-classes.js';
import { loopSpecFromPreset } from '../../server/musegan/spec.js';
import { loopTrainDefaults, type LoopTrainConfig } from '../../server/musegan/train-config.js';
import { ToneMidi } from '../music/midi-fixtures.js';
import { grooveDataset, tempDir } from './fixtures.js';
import { folderWeights } from '../helpers/folder-weights.js';

const spec = loopSpecFromPreset('tiny');
const config: LoopTrainConfig = { ...loopTrainDefaults('tiny'), steps: 2, batchSize: 2, criticSteps: 2, checkpointEvery: 1, binaryFromStep: 1, previewCount: 2 };

describe('loop trainer (tiny)', function () {
  let tmp: string;
  let data: ReturnType<typeof loadLoopData>;

  before(async () => {
    await initBackend();
    tmp = await tempDir('studio-loop-train-');
    data = loadLoopData(await grooveDataset(tmp, [0, 3, 5, 7, 10]), spec);
  });

  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('trains, checkpoints with previews and losses, and resumes exactly (2 straight == 1 + resume 1)', async () => {
    const straight = path.join(tmp, 'straight');
    const before = tf.memory().numTensors;
    const result = await trainLoopModel({ outDir: straight, data, spec, config, workers: 1 });
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
    assert.equal(result.step, 2);
    assert.equal(result.stoppedBy, 'completed');
    assert.ok(result.lastLosses!.binary, 'binary neurons from step 1');
    const lines = (await fs.readFile(path.join(straight, 'losses.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.filter((l) => l.type !== 'checkpoint').map((l) => l.step), [1, 2]);
    for (const l of lines.filter((x) => x.type !== 'checkpoint')) {
      assert.ok(Number.isFinite(l.wasserstein) && l.gradientPenalty >= 0);
      assert.ok(l.gateRateLoss >= 0 && l.openGates >= 0 && l.openGates <= 1, `gate figures logged: ${l.gateRateLoss}, ${l.openGates}`);
      assert.ok(l.pitchClassLoss >= 0 && l.usedPitchClasses.length === 5 && l.usedPitchClasses[0] === null, `pitch-class figures logged: ${JSON.stringify(l)}`);
    }
    for (const step of ['step-000001', 'step-000002']) {
      const midi = new ToneMidi(await fs.readFile(path.join(straight, 'previews', step, 'loop-seed-1.mid')));
      assert.equal(midi.header.ppq, 480, `${step} preview is a MIDI file`);
    }
    const meta = JSON.parse(await fs.readFile(path.join(straight, 'metadata.json'), 'utf8'));
    assert.equal(meta.step, 2);
    assert.equal(meta.dataset.count, data.summary.count);
    // Every groove plays all five tracks in every bar: the gates' target is all open.
    assert.deepEqual(meta.dataset.soundingBarShare, { drums: 1, bass: 1, piano: 1, guitar: 1, strings: 1 });
    // The pitch-class loss's targets: the data's mean pitch classes per sounding bar, drums not matched.
    const upc = usedPitchClassesPerBar(data.packed, spec);
    assert.deepEqual(meta.dataset.usedPitchClassesPerBar, { drums: null, bass: upc[1], piano: upc[2], guitar: upc[3], strings: upc[4] });
    assert.ok(upc.slice(1).every((v) => v !== null && v >= 1 && v <= 12), `targets ${upc}`);
    assert.equal(meta.metrics.training.samples.loops, 16, 'sample metrics of 16 generated loops');
    // A completed run ends calibrated to the data's sounding shares; a session cut short does not (below).
    assert.equal(meta.gateCalibration.step, 2);
    assert.deepEqual(meta.gateCalibration.tracks.map((t: { track: string; target: number }) => [t.track, t.target]), spec.tracks.map((t) => [t, 1]));

    const halves = path.join(tmp, 'halves');
    const first = await trainLoopModel({ outDir: halves, data, spec, config, workers: 1, sessionSteps: 1 });
    assert.equal(first.stoppedBy, 'session-limit');
    const halfMetaFile = path.join(halves, 'metadata.json');
    const halfMeta = JSON.parse(await fs.readFile(halfMetaFile, 'utf8'));
    assert.equal(halfMeta.gateCalibration, undefined);
    // An eval saved at step 1 describes step 1's weights: training on drops it.
    await fs.writeFile(halfMetaFile, JSON.stringify({ ...halfMeta, metrics: { ...halfMeta.metrics, eval: { measuredAt: 1 } } }));
    const second = await trainLoopModel({ outDir: halves, data, resume: true, workers: 1 });
    assert.equal(second.step, 2);
    const resumedMeta = JSON.parse(await fs.readFile(halfMetaFile, 'utf8'));
    assert.equal(resumedMeta.metrics.eval, undefined, 'a stale eval is not carried over');
    assert.equal(resumedMeta.metrics.training.samples.loops, 16);
    const a = await folderWeights(straight);
    const b = await folderWeights(halves);
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    for (const [name, values] of a) assert.deepEqual(b.get(name), values, `${name} differs after resume`);
    await assert.rejects(trainLoopModel({ outDir: halves, data, spec, config }), /already exists; pass --resume/);
  });

  it('two data-parallel workers train the same model as one (to float rounding) when every loss is a mean over phrases', async () => {
    const one = path.join(tmp, 'one');
    const two = path.join(tmp, 'two');
    // The feature-matching and gate losses read batch statistics (means over the bars that count, thresholds on
    // them), which each worker takes over its own share: with them on, 1 and 2 workers train alike, not identically.
    const short = { ...config, steps: 1, gateRateWeight: 0, pitchClassWeight: 0, tonalWeight: 0 };
    await trainLoopModel({ outDir: one, data, spec, config: short, workers: 1 });
    await trainLoopModel({ outDir: two, data, spec, config: short, workers: 2 });
    const a = await folderWeights(one);
    const b = await folderWeights(two);
    let worst = 0;
    for (const [name, values] of a) values.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b.get(name)![i]!) / (1e-3 + Math.abs(v)))));
    assert.ok(worst < 1e-2, `largest relative difference ${worst}`);
    await assert.rejects(trainLoopModel({ outDir: path.join(tmp, 'odd'), data, spec, config: { ...short, batchSize: 3 }, workers: 2 }), /batch 3 does not split evenly over 2 workers/);
  });

  it('an abort stops after the current step with a checkpoint', async () => {
    const out = path.join(tmp, 'aborted');
    const controller = new AbortController();
    const result = await trainLoopModel({
      outDir: out,
      data,
      spec,
      config: { ...config, steps: 50, checkpointEvery: 50 },
      workers: 1,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'training' && e.done >= 1) controller.abort();
      },
    });
    assert.equal(result.stoppedBy, 'signal');
    const meta = JSON.parse(await fs.readFile(path.join(out, 'metadata.json'), 'utf8'));
    assert.equal(meta.step, result.step);
    assert.ok(result.step >= 1 && result.step < 50);
    assert.equal(meta.gateCalibration, undefined, 'an interrupted run is not calibrated');
  });
});
