/**
 * Calibrates a loop model folder's gates (gate-calibration.ts) and records the result in its metadata.json (that
 * one file replaced atomically; the weights are untouched). `studio calibrate loops` and the end of a completed
 * `studio train loops` run call this.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readableModelDir } from '../checkpoints/folder.js';
import { writeFileAtomic } from '../util/atomic.js';
import { LoopModel } from './loop-model.js';
import type { GateCalibration, gateCalibrationDefaults } from './gate-calibration.js';

export async function calibrateModelFolder(dir: string, options: Partial<typeof gateCalibrationDefaults> & { dryRun?: boolean } = {}): Promise<GateCalibration> {
  const model = await LoopModel.load(dir);
  let calibration: GateCalibration;
  try {
    calibration = model.calibrateGates(options);
  } finally {
    model.dispose();
  }
  if (!options.dryRun) {
    const file = path.join(readableModelDir(dir), 'metadata.json');
    const metadata = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFileAtomic(file, JSON.stringify({ ...metadata, gateCalibration: calibration }, null, 2) + '\n');
  }
  return calibration;
}

/** One line for a log: each track's sounding share before -> after, against the data's. */
export function describeCalibration(calibration: GateCalibration): string {
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  return calibration.tracks.map((t) => `${t.track} ${pct(t.before)} -> ${pct(t.after)} (data ${pct(t.target)})`).join(', ');
}
