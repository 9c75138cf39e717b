import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../../server/ml/backend.js';
import { LoopGan } from '../../server/musegan/loop-gan.js';
import { LoopModel } from '../../server/musegan/loop-model.js';
import { saveLoopCheckpoint } from '../../server/musegan/checkpoint.js';
import { loopSpecFromPreset, type LoopSpec } from '../../server/musegan/spec.js';
import { loopTrainDefaults } from '../../server/musegan/train-config.js';
import { gateOffsetsOf, offsetForTarget } from '../../server/musegan/gate-calibration.js';
import { StudioError } from '../../server/util/errors.js';
import type { MultitrackRoll } from '../../server/music/roll.js';
import { TRACK_FAMILIES } from '../../server/music/families.js';
import type { ModelMetadata } from '../../server/checkpoints/folder.js';
import { runStudioInProcess } from '../helpers/cli.js';
import { tempDir, withoutLeaks } from './fixtures.js';

// An untrained generator's notes sit near the data's density (~2% of cells); a low threshold gives its bars notes.
const T = 0.02;
const TARGETS = { drums: 0.95, bass: 0.85, piano: 0.6, guitar: 0.3, strings: 0.1 };

async function saveUntrained(dir: string, spec: LoopSpec, dataset: unknown): Promise<void> {
  const now = new Date().toISOString();
  const metadata: ModelMetadata = { kind: 'loops', formatVersion: 1, preset: spec.preset, step: 0, createdAt: now, updatedAt: now, config: loopTrainDefaults('tiny'), dataset, metrics: {} };
  const gan = new LoopGan(spec, loopTrainDefaults('tiny'));
  try {
    await saveLoopCheckpoint(dir, { gan, state: { step: 0, trainingSeconds: 0 }, metadata, lossesJsonl: '', previews: {} });
  } finally {
    gan.dispose();
  }
}

/** Per track, the share of bars with at least one note. */
function soundingShares(rolls: MultitrackRoll[]): number[] {
  const counts = new Array<number>(TRACK_FAMILIES.length).fill(0);
  let bars = 0;
  for (const roll of rolls) {
    const barSize = roll.data.length / roll.bars;
    for (let b = 0; b < roll.bars; b++, bars++) {
      const sounding = new Set<number>();
      for (let i = b * barSize; i < (b + 1) * barSize; i++) if (roll.data[i]) sounding.add(i % TRACK_FAMILIES.length);
      for (const t of sounding) counts[t]!++;
    }
  }
  return counts.map((c) => c / bars);
}

describe('gate calibration', function () {
  this.timeout(120_000);

  describe('offsetForTarget', () => {
    const bars = { gate: Float32Array.from([2, 1, 0.5, -0.5, -1, 3, -2, 0.2]), hasNote: Uint8Array.from([1, 1, 1, 1, 1, 0, 1, 1]) };
    const share = (offset: number) => bars.gate.filter((g, i) => bars.hasNote[i] && g + offset > 0).length / bars.gate.length;

    it('opens the bars with notes from the highest gate down until the share is reached', () => {
      for (const target of [0.25, 0.5, 0.75]) assert.equal(share(offsetForTarget(bars, target)), target, `target ${target}`);
    });

    it('a bar without notes never counts: 7 of 8 bars is as far as it goes; 0 shuts every bar', () => {
      assert.equal(share(offsetForTarget(bars, 1)), 7 / 8);
      assert.equal(share(offsetForTarget(bars, 0)), 0);
    });
  });

  describe('on a tiny untrained model', () => {
    let tmp: string;
    let dir: string;

    before(async () => {
      await initBackend();
      tmp = await tempDir('studio-gate-calibration-');
      dir = path.join(tmp, 'model');
      await saveUntrained(dir, loopSpecFromPreset('tiny'), { soundingBarShare: TARGETS });
    });

    after(async () => {
      await fs.rm(tmp, { recursive: true, force: true });
    });

    it('calibrate loops records offsets that bring free generation to the data shares, and every load applies them', async () => {
      const plain = await LoopModel.load(dir);
      const requests = Array.from({ length: 64 }, (_, seed) => ({ seed: 1000 + seed, threshold: T }));
      let before: number[];
      try {
        assert.equal(plain.gateOffsets, undefined);
        before = soundingShares(plain.generateMany(requests));
        await withoutLeaks(() => plain.calibrateGates({ loops: 16, threshold: T }));
      } finally {
        plain.dispose();
      }

      const dry = await runStudioInProcess(['calibrate', 'loops', '--model', dir, '--loops', '128', '--threshold', String(T), '--dry-run']);
      assert.equal(dry.code, 0, dry.stderr);
      assert.equal(JSON.parse(await fs.readFile(path.join(dir, 'metadata.json'), 'utf8')).gateCalibration, undefined, '--dry-run records nothing');

      const run = await runStudioInProcess(['calibrate', 'loops', '--model', dir, '--loops', '128', '--threshold', String(T)]);
      assert.equal(run.code, 0, run.stderr);
      const printed = JSON.parse(run.stdout) as { tracks: { track: string; target: number; after: number }[] };
      assert.deepEqual(JSON.parse(dry.stdout), printed, 'same seed, same calibration');
      for (const t of printed.tracks) assert.ok(Math.abs(t.after - t.target) < 0.01, `${t.track}: ${t.after} on the calibration loops, target ${t.target}`);
      assert.deepEqual(JSON.parse(await fs.readFile(path.join(dir, 'metadata.json'), 'utf8')).gateCalibration, printed);

      const calibrated = await LoopModel.load(dir);
      try {
        assert.equal(calibrated.gateOffsets!.length, TRACK_FAMILIES.length);
        const after = soundingShares(calibrated.generateMany(requests));
        TRACK_FAMILIES.forEach((track, t) => {
          const target = TARGETS[track];
          // Loops the calibration never saw, at the generation's own threshold.
          assert.ok(Math.abs(after[t]! - target) < 0.1, `${track}: ${after[t]} sounding after, target ${target} (before ${before[t]})`);
        });
        assert.ok(Math.abs(after[4]! - TARGETS.strings) < Math.abs(before[4]! - TARGETS.strings), 'strings moved towards 10%');
      } finally {
        calibrated.dispose();
      }
    });

    it('a model without the data shares, or with a broken calibration, fails with a clear error', async () => {
      const bare = path.join(tmp, 'bare');
      await saveUntrained(bare, loopSpecFromPreset('tiny'), null);
      const result = await runStudioInProcess(['calibrate', 'loops', '--model', bare]);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /soundingBarShare/);

      const spec = loopSpecFromPreset('tiny');
      assert.throws(() => gateOffsetsOf(spec, { gateCalibration: { step: 0, loops: 1, threshold: 0.5, tracks: [] } }, 'm.json'), (e: unknown) => e instanceof StudioError && /no offset for track "drums"/.test(e.message));
      assert.throws(() => gateOffsetsOf(spec, { gateCalibration: { step: 'x' } }, 'm.json'), (e: unknown) => e instanceof StudioError && e.code === 'BAD_FILE');
      assert.equal(gateOffsetsOf(spec, {}, 'm.json'), undefined);
    });
  });
});
