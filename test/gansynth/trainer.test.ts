import { strict as assert } from 'node:assert';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { tf } from '../../server/ml/tf.js';
import { initBackend } from '../../server/ml/backend.js';
import { noteModelSpec } from '../../server/gansynth/spec.js';
import { noteTrainDefaults, type NoteTrainConfig } from '../../server/gansynth/train-config.js';
import { trainNoteModel } from '../../server/gansynth/trainer.js';
import { useTempDir } from '../helpers/tmp.js';
import { folderWeights } from '../helpers/folder-weights.js';
import { syntheticNotes } from './helpers/synthetic-notes.js';

const config: NoteTrainConfig = { ...noteTrainDefaults, steps: 6, batchSize: 4, checkpointEvery: 4, previewPitches: [48, 60], diversitySamples: 3 };

describe('gansynth trainer (tiny, synthetic notes)', () => {
  const tmp = useTempDir();
  const { data } = syntheticNotes([36, 48, 60, 72]);
  const spec = noteModelSpec('tiny');

  before(async () => {
    await initBackend();
  });

  it('resumes exactly: N steps straight equal N/2, resume, N/2 (weights, optimizer state, losses)', async () => {
    const straight = path.join(tmp(), 'straight');
    const split = path.join(tmp(), 'split');
    const before = tf.memory().numTensors;
    await trainNoteModel({ outDir: straight, data, spec, config });
    const first = await trainNoteModel({ outDir: split, data, spec, config, sessionSteps: 3 });
    assert.equal(first.stoppedBy, 'session-limit');
    assert.equal(first.step, 3);
    const second = await trainNoteModel({ outDir: split, data, resume: true });
    assert.equal(second.stoppedBy, 'completed');
    assert.equal(second.step, 6);
    assert.equal(tf.memory().numTensors, before, 'training leaks no tensors');

    const a = await folderWeights(straight);
    const b = await folderWeights(split);
    assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
    assert.ok(a.has('training:optimizer/g/step') && a.has('training:optimizer/d/m/d/critic/kernel'), 'optimizer state is saved');
    for (const [name, values] of a) assert.deepEqual(b.get(name), values, `${name} differs after resume`);

    const stepLines = (dir: string) =>
      readFileSync(path.join(dir, 'losses.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === undefined);
    const la = stepLines(straight);
    const lb = stepLines(split);
    assert.deepEqual(la.map((l) => l.step), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(lb.map((l) => l.discriminatorLoss), la.map((l) => l.discriminatorLoss), 'the same losses, step for step');
  });

  it('writes metadata, previews and diversity at checkpoints, and stops cleanly on abort', async () => {
    const out = path.join(tmp(), 'run');
    const controller = new AbortController();
    const events: string[] = [];
    const result = await trainNoteModel({
      outDir: out,
      data,
      spec,
      config,
      signal: controller.signal,
      onProgress: (e) => {
        events.push(`${e.phase}:${e.done}/${e.total}`);
        if (e.phase === 'training' && e.done === 2) controller.abort();
      },
    });
    assert.equal(result.stoppedBy, 'signal');
    assert.equal(result.step, 2);
    assert.ok(events.includes('training:1/6') && events.includes('checkpoint:2/6'), events.join(' '));
    const meta = JSON.parse(readFileSync(path.join(out, 'metadata.json'), 'utf8'));
    assert.equal(meta.kind, 'notes');
    assert.equal(meta.step, 2);
    assert.equal(meta.preset, 'tiny');
    assert.equal(meta.config.batchSize, 4);
    assert.equal(meta.dataset.count, data.images.length);
    assert.ok(Number.isFinite(meta.metrics.training.diversity.ratio), 'diversity is measured');
    assert.ok(meta.metrics.training.msPerStep > 0);
    assert.deepEqual(readdirSync(path.join(out, 'previews', 'step-000002')).sort(), ['pitch-048.wav', 'pitch-060.wav']);
    assert.equal(readFileSync(path.join(out, 'previews', 'step-000002', 'pitch-060.wav')).subarray(0, 4).toString(), 'RIFF');
  });

  it('refuses to overwrite an existing model unless told to, then keeps nothing of the old run', async () => {
    const out = path.join(tmp(), 'taken');
    await trainNoteModel({ outDir: out, data, spec, config: { ...config, steps: 2 } });
    await assert.rejects(trainNoteModel({ outDir: out, data, spec, config }), /already exists; pass --resume/);
    await assert.rejects(trainNoteModel({ outDir: path.join(tmp(), 'nothing'), data, resume: true }), /does not exist/);
    assert.ok(existsSync(path.join(out, 'model.json')));
    await trainNoteModel({ outDir: out, data, spec, config: { ...config, steps: 1 }, overwrite: true });
    assert.deepEqual(readdirSync(path.join(out, 'previews')), ['step-000001']);
    assert.equal(readFileSync(path.join(out, 'losses.jsonl'), 'utf8').trim().split('\n').length, 2, 'one step line and one checkpoint line');
  });
});
