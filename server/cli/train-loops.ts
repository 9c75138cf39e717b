/**
 * `studio train loops`: trains a MuseGAN-style loop model into a model folder, with checkpoints every N steps and
 * on SIGINT/SIGTERM (then exits 130/143), `--resume` continuing exactly where the folder stopped.
 */
import { CommanderError, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../ml/backend.js';
import { readModelSummary } from '../checkpoints/folder.js';
import { GENERATOR_DESIGNS, LOOP_PRESETS, loopSpecFromPreset, parseLoopSpec, type GeneratorDesign } from '../musegan/spec.js';
import { loopTrainDefaults, parseLoopTrainConfig, type LoopTrainConfig } from '../musegan/train-config.js';
import { loadLoopData } from '../musegan/phrase-data.js';
import { trainLoopModel } from '../musegan/trainer.js';
import { ProgressBar } from '../util/progress.js';
import { StudioError } from '../util/errors.js';
import { projectRoot } from '../util/version.js';
import { commandGroup } from './groups.js';
import { parseIntegerOption, parseNumberOption } from './generate-note.js';

interface TrainLoopsFlags {
  data?: string;
  preset: string;
  design?: string;
  conditioning: boolean;
  out?: string;
  steps?: string;
  resume?: boolean;
  force?: boolean;
  checkpointEvery?: string;
  batchSize?: string;
  criticSteps?: string;
  binaryFrom?: string;
  seed?: string;
  lr?: string;
  workers?: string;
  quiet?: boolean;
}

/** Both cores of the 2-core machines this targets; wasm computes on one thread per worker. */
const DEFAULT_WORKERS = Math.min(2, availableParallelism());
const EXIT_ON_SIGNAL: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export function defaultLoopDatasetDir(): string {
  return path.join(projectRoot(), 'midi-data', 'loops-default');
}

async function trainLoopsCommand(flags: TrainLoopsFlags): Promise<void> {
  if (!flags.out) throw new StudioError('BAD_INPUT', 'say where the model folder goes: --out DIR (e.g. models/my-loops)');
  if (!(LOOP_PRESETS as readonly string[]).includes(flags.preset)) {
    throw new StudioError('BAD_INPUT', `--preset must be one of ${LOOP_PRESETS.join(', ')}, got "${flags.preset}"`);
  }
  if (flags.design !== undefined && !(GENERATOR_DESIGNS as readonly string[]).includes(flags.design)) {
    throw new StudioError('BAD_INPUT', `--design must be one of ${GENERATOR_DESIGNS.join(', ')}, got "${flags.design}"`);
  }
  if (flags.resume && flags.force) throw new StudioError('BAD_INPUT', 'use one of --resume (continue) and --force (start over)');
  const outDir = path.resolve(flags.out);
  const dataDir = path.resolve(flags.data ?? defaultLoopDatasetDir());
  const steps = flags.steps === undefined ? undefined : parseIntegerOption('--steps', flags.steps, 1, 10_000_000);
  const checkpointEvery = flags.checkpointEvery === undefined ? undefined : parseIntegerOption('--checkpoint-every', flags.checkpointEvery, 1, 10_000_000);
  const workers = flags.workers === undefined ? DEFAULT_WORKERS : parseIntegerOption('--workers', flags.workers, 1, 64);
  const log = (message: string) => console.error(`studio: ${message}`);

  // Settings only a new run takes (a resumed run keeps its own, or it would not be the same run).
  const fresh: Partial<LoopTrainConfig> = {};
  if (flags.batchSize !== undefined) fresh.batchSize = parseIntegerOption('--batch-size', flags.batchSize, 1, 512);
  if (flags.criticSteps !== undefined) fresh.criticSteps = parseIntegerOption('--critic-steps', flags.criticSteps, 1, 20);
  if (flags.binaryFrom !== undefined) fresh.binaryFromStep = parseIntegerOption('--binary-from', flags.binaryFrom, 0, 10_000_000);
  if (flags.seed !== undefined) fresh.seed = parseIntegerOption('--seed', flags.seed, 0, 2 ** 31 - 1);
  if (flags.lr !== undefined) fresh.learningRate = parseNumberOption('--lr', flags.lr, 0, 1);
  const freshFlags = Object.entries({ '--batch-size': flags.batchSize, '--critic-steps': flags.criticSteps, '--binary-from': flags.binaryFrom, '--seed': flags.seed, '--lr': flags.lr, '--design': flags.design })
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);

  const info = await initBackend();
  let spec = loopSpecFromPreset(flags.preset, { design: flags.design as GeneratorDesign | undefined, conditioning: flags.conditioning });
  let config: LoopTrainConfig | undefined;
  if (flags.resume) {
    spec = parseLoopSpec((await readModelSummary(outDir)).spec, path.join(outDir, 'spec.json'));
    if (spec.preset !== flags.preset) log(`--preset ${flags.preset} ignored: ${outDir} is a "${spec.preset}" model and resumes as one`);
    for (const flag of freshFlags) log(`${flag} ignored on --resume (the run keeps its own)`);
  } else {
    const defaults = loopTrainDefaults(flags.preset);
    const fields = { ...defaults, ...fresh, ...(steps ? { steps } : {}), ...(checkpointEvery ? { checkpointEvery } : {}) };
    // Shorter runs keep binary neurons for their second half unless told otherwise.
    if (steps && fresh.binaryFromStep === undefined) fields.binaryFromStep = Math.round((defaults.binaryFromStep / defaults.steps) * steps);
    config = parseLoopTrainConfig(fields, 'training options');
  }

  const bar = new ProgressBar({ quiet: flags.quiet });
  const controller = new AbortController();
  let stopSignal: string | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal) return; // already stopping: let the checkpoint finish
    stopSignal = signal;
    log(`${signal}: saving a checkpoint after this step`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const data = loadLoopData(dataDir, spec);
    log(`training ${spec.preset} (${spec.design}) on ${data.summary.count} phrases, ${info.name} backend, ${workers} worker thread(s) -> ${outDir}`);
    const result = await trainLoopModel({
      outDir,
      data,
      spec,
      config,
      resume: flags.resume,
      resumeOverrides: { steps, checkpointEvery },
      overwrite: flags.force,
      workers,
      signal: controller.signal,
      onProgress: bar.update,
      log: (m) => {
        bar.stop();
        log(m);
      },
    });
    bar.stop();
    console.log(JSON.stringify({ out: outDir, ...result }, null, 2));
    if (result.stoppedBy === 'signal' && stopSignal) {
      // Checkpoint saved; end like a process stopped by that signal would (130 / 143), so scripts can tell.
      throw new CommanderError(EXIT_ON_SIGNAL[stopSignal] ?? 1, 'studio.stopped', `stopped by ${stopSignal} at step ${result.step}`);
    }
  } finally {
    bar.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function registerTrainLoops(program: Command): void {
  commandGroup(program, 'train')
    .command('loops')
    .description('train a MuseGAN-style multitrack loop model (WGAN-GP, binary neurons, track-conditional) into a model folder')
    .option('--data <dir>', 'loop dataset folder from `studio data loops` (default: midi-data/loops-default)')
    .option('--preset <name>', `model size: ${LOOP_PRESETS.join(', ')}`, 'lite')
    .option('--design <name>', `how tracks share the generator: ${GENERATOR_DESIGNS.join(', ')} (default hybrid)`)
    .option('--no-conditioning', 'no track-conditional encoder (the model can then only generate all tracks freely)')
    .option('--out <dir>', 'model folder to write (checkpoints replace it atomically)')
    .option('--steps <n>', 'total generator steps (tiny 20, lite 2000, paper 50000); with --resume, trains on to n')
    .option('--resume', 'continue the run in --out from its last checkpoint (same step, optimizer state, data order)')
    .option('--force', 'start over even if --out already holds a model')
    .option('--checkpoint-every <n>', 'save a checkpoint (and preview MIDI loops) every n steps')
    .option('--batch-size <n>', 'phrases per step (tiny 4, lite 16, paper 64)')
    .option('--critic-steps <n>', 'critic updates per generator update (tiny 2, lite 2, paper 5)')
    .option('--binary-from <step>', 'step from which the generator outputs binary neurons (straight-through) instead of sigmoids')
    .option('--seed <n>', 'seed of initial weights, data order, latents and masks (default 0)')
    .option('--lr <rate>', 'Adam learning rate (default 2e-4; beta1 0.5, beta2 0.9)')
    .option('--workers <n>', `data-parallel threads, each on its own core (default ${DEFAULT_WORKERS}); --resume is exact with the same count`)
    .option('--quiet', 'no progress bar')
    .action(trainLoopsCommand);
}
