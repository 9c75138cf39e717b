import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../../server/ml/backend.js';
import { LoopGan } from '../../server/musegan/loop-gan.js';
import { LoopModel } from '../../server/musegan/loop-model.js';
import { saveLoopCheckpoint } from '../../server/musegan/checkpoint.js';
import { loopSpecFromPreset, type LoopSpec } from '../../server/musegan/spec.js';
import { loopTrainDefaults } from '../../server/musegan/train-config.js';
import { scalePitchMask } from '../../server/musegan/scale.js';
import { getTrack, trackIsEmpty, type MultitrackRoll } from '../../server/music/roll.js';
import { TRACK_FAMILIES } from '../../server/music/families.js';
import type { ModelMetadata } from '../../server/checkpoints/folder.js';
import { grooveRoll, tempDir, withoutLeaks } from './fixtures.js';

// An untrained generator sits near the data's density (~2% of cells); a low threshold gives it notes to test with.
const T = 0.02;

function metadata(spec: LoopSpec): ModelMetadata {
  const now = new Date().toISOString();
  return { kind: 'loops', formatVersion: 1, preset: spec.preset, step: 0, createdAt: now, updatedAt: now, config: loopTrainDefaults('tiny'), dataset: null, metrics: {} };
}

async function saveUntrained(dir: string, spec: LoopSpec): Promise<void> {
  const gan = new LoopGan(spec, loopTrainDefaults('tiny'));
  try {
    await saveLoopCheckpoint(dir, { gan, state: { step: 0, trainingSeconds: 0 }, metadata: metadata(spec), lossesJsonl: '', previews: {} });
  } finally {
    gan.dispose();
  }
}

const bars = (roll: MultitrackRoll, from: number, count: number) => roll.data.subarray((from * roll.data.length) / roll.bars, ((from + count) * roll.data.length) / roll.bars);
const notes = (roll: MultitrackRoll) => roll.data.reduce((a, b) => a + b, 0);

describe('LoopModel (tiny, untrained)', () => {
  let tmp: string;
  let dir: string;
  let model: LoopModel;

  before(async () => {
    await initBackend();
    tmp = await tempDir('studio-loop-model-');
    dir = path.join(tmp, 'model');
    await saveUntrained(dir, loopSpecFromPreset('tiny'));
    model = await LoopModel.load(dir);
  });

  after(async () => {
    model?.dispose();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('same seed, same loop; another seed, another loop; no tensors left behind', async () => {
    const a = await withoutLeaks(() => model.generate({ seed: 4, threshold: T }));
    assert.deepEqual([a.bars, a.stepsPerBar, a.pitchCount, a.lowestPitch, a.tempoBpm], [4, 48, 84, 24, 120]);
    assert.ok(notes(a) > 100, 'the loop has notes');
    assert.deepEqual(model.generate({ seed: 4, threshold: T }).data, a.data);
    assert.notDeepEqual(model.generate({ seed: 5, threshold: T }).data, a.data);
    const batch = model.generateMany([{ seed: 5, threshold: T }, { seed: 4, threshold: T }]);
    assert.deepEqual(batch[1]!.data, a.data, 'batched generation gives the same loop');
    assert.ok(notes(model.generate({ seed: 4, threshold: 0.5 })) < notes(a), 'a higher threshold keeps fewer notes');
  });

  it('longer loops continue the 4-bar loop of the same seed along the latent walk', () => {
    const four = model.generate({ seed: 11, threshold: T });
    const eight = model.generate({ seed: 11, threshold: T, bars: 8 });
    const six = model.generate({ seed: 11, threshold: T, bars: 6 });
    assert.equal(eight.bars, 8);
    assert.deepEqual(bars(eight, 0, 4), four.data, 'the first phrase is the 4-bar loop');
    assert.notDeepEqual(bars(eight, 4, 4), four.data, 'the second phrase moves on');
    assert.deepEqual(six.data, bars(eight, 0, 6), 'a 6-bar loop is the 8-bar one cut short');
  });

  it('locked tracks stay exactly; the model fits the others; silenced tracks stay empty', () => {
    const groove = grooveRoll(2);
    groove.velocities = groove.data.map((on, i) => (on && i % 5 === 1 ? 77 : 0)); // bass notes at velocity 77
    const locked = model.generate({ seed: 1, threshold: T, locked: { roll: groove, tracks: ['drums', 'bass'] } });
    for (const t of ['drums', 'bass'] as const) assert.deepEqual(getTrack(locked, t), getTrack(groove, t));
    assert.deepEqual(locked.velocities, groove.velocities, 'the locked bass keeps its velocities; the rest use the groove default');
    assert.ok(!trackIsEmpty(locked, 'piano'), 'piano was generated');
    const free = model.generate({ seed: 1, threshold: T });
    assert.notDeepEqual(getTrack(locked, 'piano'), getTrack(free, 'piano'), 'the generated tracks respond to what is given');

    const withPiano = model.generate({ seed: 1, threshold: T, bars: 8, condition: { roll: groove, track: 'piano' } });
    const piano = getTrack(withPiano, 'piano');
    const given = getTrack(groove, 'piano');
    assert.deepEqual(piano.subarray(0, given.length), given);
    assert.deepEqual(piano.subarray(given.length), given, 'a 4-bar part repeats over an 8-bar loop');

    const duo = model.generate({ seed: 1, threshold: T, tracks: ['drums', 'bass'] });
    assert.deepEqual(TRACK_FAMILIES.filter((t) => !trackIsEmpty(duo, t)), ['drums', 'bass']);
  });

  it('a key and scale put every pitched note in the scale (drums keep theirs)', () => {
    // One candidate: the seed's own latent, so the drums can be compared with the same loop unconstrained.
    const roll = model.generate({ seed: 3, threshold: T, key: 'E', scale: 'minor', scaleCandidates: 1 });
    const inScale = scalePitchMask(4, 'minor', 24, 84);
    let pitched = 0;
    for (let i = 0; i < roll.data.length; i++) {
      if (!roll.data[i] || i % 5 === 0) continue;
      pitched++;
      assert.ok(inScale[Math.floor(i / 5) % 84], `pitch index ${Math.floor(i / 5) % 84} is out of E minor`);
    }
    assert.ok(pitched > 50);
    const plain = model.generate({ seed: 3, threshold: T });
    assert.ok(!trackIsEmpty(plain, 'drums'));
    assert.deepEqual(getTrack(roll, 'drums'), getTrack(plain, 'drums'), 'drums are not snapped');
  });

  it('refuses bad options with clear messages', () => {
    const bad: [object, RegExp][] = [
      [{ bars: 0 }, /bars must be a whole number from 1 to 64, got 0/],
      [{ threshold: 1 }, /threshold must be between 0 and 1/],
      [{ tempoBpm: 0 }, /tempo must be from 20 to 400 bpm, got 0/],
      [{ tracks: ['drums', 'flute'] }, /unknown track "flute"/],
      [{ key: 'C' }, /give both a key and a scale/],
      [{ key: 'C', scale: 'weird' }, /scale "weird" is not known/],
      [{ locked: { roll: grooveRoll(0), tracks: [...TRACK_FAMILIES] } }, /nothing left to generate/],
      [{ condition: { roll: { ...grooveRoll(0), stepsPerBar: 24, data: new Uint8Array(4 * 24 * 84 * 5) }, track: 'piano' } }, /condition: roll is 24 steps/],
    ];
    for (const [options, message] of bad) assert.throws(() => model.generate(options), message);
  });

  it('checks model folders: spec validated, weights must match it, a model without conditioning says so', async () => {
    const broken = path.join(tmp, 'broken');
    await fs.cp(dir, broken, { recursive: true });
    const spec = JSON.parse(await fs.readFile(path.join(broken, 'spec.json'), 'utf8'));
    await fs.writeFile(path.join(broken, 'spec.json'), JSON.stringify({ ...spec, stepsPerBar: 50 }));
    await assert.rejects(LoopModel.load(broken), /broken\/spec\.json is not a valid loop model spec: .*multiple of beatsPerBar/);
    await fs.writeFile(path.join(broken, 'spec.json'), JSON.stringify({ ...spec, design: 'composer', latent: { shared: 16, sharedTemporal: 16, private: 0, privateTemporal: 0 } }));
    await assert.rejects(LoopModel.load(broken), /model\.json:? ?weights do not match the spec/);

    const plain = path.join(tmp, 'plain');
    await saveUntrained(plain, loopSpecFromPreset('tiny', { conditioning: false }));
    const unconditional = await LoopModel.load(plain);
    try {
      assert.ok(notes(unconditional.generate({ seed: 2, threshold: T })) > 0);
      assert.throws(() => unconditional.generate({ locked: { roll: grooveRoll(0), tracks: ['drums'] } }), /trained without track conditioning/);
    } finally {
      unconditional.dispose();
    }
  });
});
