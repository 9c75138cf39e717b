import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../../server/ml/backend.js';
import { noteModelSpec } from '../../server/gansynth/spec.js';
import { noteTrainDefaults, type NoteTrainConfig } from '../../server/gansynth/train-config.js';
import { trainNoteModel } from '../../server/gansynth/trainer.js';
import { chooseTimbreClasses } from '../../server/gansynth/timbre-classes.js';
import { useTempDir } from '../helpers/tmp.js';
import { folderWeights } from '../helpers/folder-weights.js';
import { syntheticNotes } from './helpers/synthetic-notes.js';

const config: NoteTrainConfig = { ...noteTrainDefaults, steps: 2, batchSize: 8, checkpointEvery: 100, previewPitches: [60], diversitySamples: 2 };

describe('gansynth trainer, data-parallel (tiny, 2 worker threads)', function () {
  this.timeout(120_000);
  const tmp = useTempDir();
  const { data } = syntheticNotes([36, 48, 60, 72]);
  // Conditioned on the synthetic instruments, so the real notes' timbre labels are split over the workers too.
  const spec = { ...noteModelSpec('tiny'), timbreClasses: chooseTimbreClasses(data, 8) };

  before(async () => {
    await initBackend();
  });

  it('trains data-parallel on 2 worker threads, and resumes exactly there too', async () => {
    const straight = path.join(tmp(), 'straight2');
    const split = path.join(tmp(), 'split2');
    const two = { ...config, steps: 2 };
    await trainNoteModel({ outDir: straight, data, spec, config: two, workers: 2 });
    await trainNoteModel({ outDir: split, data, spec, config: two, workers: 2, sessionSteps: 1 });
    await trainNoteModel({ outDir: split, data, resume: true, workers: 2 });
    const a = await folderWeights(straight);
    const b = await folderWeights(split);
    for (const [name, values] of a) assert.deepEqual(b.get(name), values, `${name} differs after a 2-worker resume`);
    const meta = JSON.parse(readFileSync(path.join(straight, 'metadata.json'), 'utf8'));
    assert.equal(meta.metrics.training.workers, 2);
    assert.equal(meta.step, 2);
    assert.deepEqual(JSON.parse(readFileSync(path.join(straight, 'spec.json'), 'utf8')).timbreClasses.classes, ['brass', 'flute', 'reed']);
    const steps = readFileSync(path.join(straight, 'losses.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === undefined);
    assert.ok(steps.every((l) => l.discriminatorTimbreLoss > 0 && l.generatorTimbreLoss > 0), 'timbre losses are logged');
    await assert.rejects(trainNoteModel({ outDir: path.join(tmp(), 'odd'), data, spec, config: { ...config, batchSize: 10 }, workers: 2 }), /each share must be a multiple of 4/);
  });

});
