import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { initBackend } from '../../server/ml/backend.js';
import { noteModelSpec } from '../../server/gansynth/spec.js';
import { noteTrainDefaults } from '../../server/gansynth/train-config.js';
import { trainNoteModel } from '../../server/gansynth/trainer.js';
import { NoteModel } from '../../server/gansynth/note-model.js';
import { evaluateNotes } from '../../server/gansynth/eval/evaluate.js';
import { checkPitch } from '../../server/gansynth/eval/pitch-accuracy.js';
import { noteFeatures } from '../../server/gansynth/eval/features.js';
import { syntheticNotes, toneAudio, SYNTH_INSTRUMENTS } from './helpers/synthetic-notes.js';
import { getSpectralPreset } from '../../server/spectral/presets.js';

describe('gansynth eval notes', () => {
  let root = '';
  let model: NoteModel;
  const pitches = Array.from({ length: 20 }, (_, i) => 30 + i * 2);
  const { realNotes, data } = syntheticNotes(pitches);

  before(async () => {
    await initBackend();
    root = mkdtempSync(path.join(tmpdir(), 'studio-eval-'));
    await trainNoteModel({ outDir: path.join(root, 'm'), data, spec: noteModelSpec('tiny'), config: { ...noteTrainDefaults, steps: 1, batchSize: 4, previewPitches: [] } });
    model = await NoteModel.load(path.join(root, 'm'));
  });

  after(() => {
    model?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('checks pitch within +-50 cents', () => {
    const preset = getSpectralPreset('tiny');
    const a4 = toneAudio(69, SYNTH_INSTRUMENTS.flute!, preset);
    assert.equal(checkPitch(a4, 16000, 69).correct, true);
    assert.equal(checkPitch(a4, 16000, 70).correct, false, 'a semitone off is wrong');
    assert.equal(checkPitch(new Float32Array(8000), 16000, 69).correct, false, 'silence has no pitch');
  });

  it('features do not depend on the level of a note', () => {
    const preset = getSpectralPreset('tiny');
    const note = toneAudio(60, SYNTH_INSTRUMENTS.reed!, preset);
    const quiet = note.map((v) => v * 0.1);
    const a = noteFeatures(note, 16000).summary;
    const b = noteFeatures(quiet, 16000).summary;
    assert.ok(a.every((v, i) => Math.abs(v - b[i]!) < 1e-3));
  });

  it('reports generated figures beside the real held-out ceiling', () => {
    const report = evaluateNotes(model, realNotes, { k: 5, seed: 1 });
    assert.deepEqual(report.counts, { reference: 48, heldOut: 12, generated: 12 });
    assert.equal(report.realHeldOut.pitchAccuracy, 1, 'synthetic tones are in tune');
    assert.ok(report.generated.pitchAccuracy < 0.5, 'an untrained generator is not');
    assert.ok(report.generated.frechetDistance > report.realHeldOut.frechetDistance);
    assert.ok(report.generated.ndbOverK >= report.realHeldOut.ndbOverK);
    assert.equal(report.targets.met.pitchAccuracy, false);
    assert.throws(() => evaluateNotes(model, realNotes.slice(0, 20), { k: 50 }), /needs at least 100 reference/);
  });
});
