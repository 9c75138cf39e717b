/**
 * `studio calibrate loops`: measures the gate offsets that make a loop model's free generation sound as many bars
 * of each track as its training data (musegan/gate-calibration.ts) and records them in its metadata.json, which
 * every later load (generation, eval, the server) applies. Prints the calibration as JSON.
 */
import type { Command } from 'commander';
import { initBackend } from '../ml/backend.js';
import { resolveModelDir } from '../checkpoints/resolve.js';
import { gateCalibrationDefaults } from '../musegan/gate-calibration.js';
import { calibrateModelFolder } from '../musegan/calibrate-model.js';
import { StudioError } from '../util/errors.js';
import { commandGroup } from './groups.js';
import { parseIntegerOption, parseNumberOption } from './generate-note.js';

interface CalibrateLoopsFlags {
  model?: string;
  loops: string;
  seed: string;
  threshold: string;
  dryRun?: boolean;
}

async function calibrateLoopsCommand(flags: CalibrateLoopsFlags): Promise<void> {
  if (!flags.model) throw new StudioError('BAD_INPUT', 'say which model: --model DIR or --model ID');
  const dir = resolveModelDir(flags.model);
  const loops = parseIntegerOption('--loops', flags.loops, 16, 100_000);
  const seed = parseIntegerOption('--seed', flags.seed, 0, 2 ** 31 - 1);
  const threshold = parseNumberOption('--threshold', flags.threshold, 0, 0.999999);
  await initBackend();
  const calibration = await calibrateModelFolder(dir, { loops, seed, threshold, dryRun: flags.dryRun });
  console.log(JSON.stringify(calibration, null, 2));
}

export function registerCalibrateLoops(program: Command): void {
  commandGroup(program, 'calibrate')
    .command('loops')
    .description("set a loop model's per-track gate offsets so free generation sounds as many bars per track as its training data")
    .option('--model <dir|id>', 'model folder, or a model id under models/')
    .option('--loops <n>', 'generated loops measured', String(gateCalibrationDefaults.loops))
    .option('--seed <n>', 'seed of the measured loops (a stream apart from generation and eval seeds)', String(gateCalibrationDefaults.seed))
    .option('--threshold <p>', 'note threshold a bar must pass to count as sounding', String(gateCalibrationDefaults.threshold))
    .option('--dry-run', 'print the calibration without recording it')
    .action(calibrateLoopsCommand);
}
