/**
 * `studio train loops`: trains a MuseGAN-style loop model into a model folder, with checkpoints every N steps and
 * on SIGINT/SIGTERM (then exits 130/143), `--resume` continuing exactly where the folder stopped.
 */
import type { Command } from 'commander';
import * as path from 'node:path';
import { initBackend } from '../ml/backend.js';
import { GENERATOR_DESIGNS, LOOP_PRESETS, loopSpecFromPreset, parseLoopSpec, type GeneratorDesign } from '../musegan/spec.js';
import { loopTrainDefaults, parseLoopTrainConfig, type LoopTrainConfig } from '../musegan/train-config.js';
import { loadLoopData } from '../musegan/phrase-data.js';
import { trainLoopModel } from '../musegan/trainer.js';
import { StudioError } from '../util/errors.js';
import { projectRoot } from '../util/version.js';
import { commandGroup } from './groups.js';
import { parseIntegerOption, parseNumberOption, parseWeightOption } from './generate-note.js';
import { addRunOptions, addSessionOptions, cliLog, givenFlags, parseRunFlags, runSpec, runTrainSession, type TrainRunFlags } from './train-common.js';

interface TrainLoopsFlags extends TrainRunFlags {
  data?: string;
  design?: string;
  conditioning: boolean;
  activityGate: boolean;
  barChroma: boolean;
  batchSize?: string;
  criticSteps?: string;
  binaryFrom?: string;
  seed?: string;
  lr?: string;
  gateRateWeight?: string;
  pitchClassWeight?: string;
  tonalWeight?: string;
}

export function defaultLoopDatasetDir(): string {
  return path.join(projectRoot(), 'midi-data', 'loops-default');
}

async function trainLoopsCommand(flags: TrainLoopsFlags): Promise<void> {
  if (flags.design !== undefined && !(GENERATOR_DESIGNS as readonly string[]).includes(flags.design)) {
    throw new StudioError('BAD_INPUT', `--design must be one of ${GENERATOR_DESIGNS.join(', ')}, got "${flags.design}"`);
  }
  const { outDir, steps, checkpointEvery, workers } = parseRunFlags(flags, { presets: LOOP_PRESETS, exampleOut: 'models/my-loops' });
  const dataDir = path.resolve(flags.data ?? defaultLoopDatasetDir());

  // Settings only a new run takes (a resumed run keeps its own, or it would not be the same run).
  const freshConfig: Partial<LoopTrainConfig> = {};
  if (flags.batchSize !== undefined) freshConfig.batchSize = parseIntegerOption('--batch-size', flags.batchSize, 1, 512);
  if (flags.criticSteps !== undefined) freshConfig.criticSteps = parseIntegerOption('--critic-steps', flags.criticSteps, 1, 20);
  if (flags.binaryFrom !== undefined) freshConfig.binaryFromStep = parseIntegerOption('--binary-from', flags.binaryFrom, 0, 10_000_000);
  if (flags.seed !== undefined) freshConfig.seed = parseIntegerOption('--seed', flags.seed, 0, 2 ** 31 - 1);
  if (flags.lr !== undefined) freshConfig.learningRate = parseNumberOption('--lr', flags.lr, 0, 1);
  if (flags.gateRateWeight !== undefined) freshConfig.gateRateWeight = parseWeightOption('--gate-rate-weight', flags.gateRateWeight);
  if (flags.pitchClassWeight !== undefined) freshConfig.pitchClassWeight = parseWeightOption('--pitch-class-weight', flags.pitchClassWeight);
  if (flags.tonalWeight !== undefined) freshConfig.tonalWeight = parseWeightOption('--tonal-weight', flags.tonalWeight);
  const freshFlags = givenFlags({
    '--batch-size': flags.batchSize,
    '--critic-steps': flags.criticSteps,
    '--binary-from': flags.binaryFrom,
    '--seed': flags.seed,
    '--lr': flags.lr,
    '--design': flags.design,
  });
  // The auxiliary losses' weights may change on --resume: fine-tuning a trained model with them (as models/loops-default
  // was: 2,000 steps without the pitch-class loss, then on with it).
  const lossWeights: Partial<LoopTrainConfig> = {};
  if (freshConfig.gateRateWeight !== undefined) lossWeights.gateRateWeight = freshConfig.gateRateWeight;
  if (freshConfig.pitchClassWeight !== undefined) lossWeights.pitchClassWeight = freshConfig.pitchClassWeight;
  if (freshConfig.tonalWeight !== undefined) lossWeights.tonalWeight = freshConfig.tonalWeight;

  const info = await initBackend();
  const fresh = loopSpecFromPreset(flags.preset, { design: flags.design as GeneratorDesign | undefined, conditioning: flags.conditioning, activityGate: flags.activityGate, barChroma: flags.barChroma });
  const spec = await runSpec(flags, outDir, { fresh, parse: parseLoopSpec, freshFlags });
  const config = flags.resume ? undefined : newRunConfig(flags.preset, freshConfig, steps, checkpointEvery);

  await runTrainSession({ outDir, quiet: flags.quiet, secondSignalExits: false }, async ({ bar, signal, log }) => {
    const data = loadLoopData(dataDir, spec);
    cliLog(`training ${spec.preset} (${spec.design}) on ${data.summary.count} phrases, ${info.name} backend, ${workers} worker thread(s) -> ${outDir}`);
    const resumeOverrides = { steps, checkpointEvery, ...lossWeights };
    return trainLoopModel({ outDir, data, spec, config, resume: flags.resume, resumeOverrides, overwrite: flags.force, workers, signal, onProgress: bar.update, log });
  });
}

/** A new run's config: the preset's defaults and the flags given. */
function newRunConfig(preset: string, fresh: Partial<LoopTrainConfig>, steps: number | undefined, checkpointEvery: number | undefined): LoopTrainConfig {
  const defaults = loopTrainDefaults(preset);
  const fields = { ...defaults, ...fresh, ...(steps ? { steps } : {}), ...(checkpointEvery ? { checkpointEvery } : {}) };
  // Shorter runs keep binary neurons and feature matching for the same share of the run unless told otherwise.
  if (steps && fresh.binaryFromStep === undefined) fields.binaryFromStep = Math.round((defaults.binaryFromStep / defaults.steps) * steps);
  if (steps) fields.featureMatchingFromStep = Math.round((defaults.featureMatchingFromStep / defaults.steps) * steps);
  return parseLoopTrainConfig(fields, 'training options');
}

export function registerTrainLoops(program: Command): void {
  const command = commandGroup(program, 'train')
    .command('loops')
    .description('train a MuseGAN-style multitrack loop model (WGAN-GP, binary neurons, track-conditional) into a model folder')
    .option('--data <dir>', 'loop dataset folder from `studio data loops` (default: midi-data/loops-default)')
    .option('--preset <name>', `model size: ${LOOP_PRESETS.join(', ')}`, 'lite')
    .option('--design <name>', `how tracks share the generator: ${GENERATOR_DESIGNS.join(', ')} (default hybrid)`)
    .option('--no-conditioning', 'no track-conditional encoder (the model can then only generate all tracks freely)')
    .option('--no-activity-gate', "no on/off gate per bar and track (MuseGAN's own generator: empty bars are rare)")
    .option('--no-bar-chroma', "a critic without each bar's pitch classes per track");
  addRunOptions(command, { steps: 'total generator steps (tiny 20, lite 2000, paper 50000); with --resume, trains on to n', previews: 'preview MIDI loops' })
    .option('--batch-size <n>', 'phrases per step (tiny 4, lite 16, paper 64)')
    .option('--critic-steps <n>', 'critic updates per generator update (tiny 2, lite 2, paper 5)')
    .option('--binary-from <step>', 'step from which the generator outputs binary neurons (straight-through) instead of sigmoids')
    .option('--seed <n>', 'seed of initial weights, data order, latents and masks (default 0)')
    .option('--lr <rate>', 'Adam learning rate (default 2e-4; beta1 0.5, beta2 0.9)')
    .option('--gate-rate-weight <w>', "weight of the loss holding each track's share of open activity gates at the data's share of sounding bars (default 10; 0 = off; may change on --resume)")
    .option('--pitch-class-weight <w>', "weight of the loss holding each pitched track's mean pitch classes per sounding bar at the data's (default 1; 0 = off; may change on --resume)")
    .option('--tonal-weight <w>', "weight of the loss holding each pair of pitched tracks' tonal distance near the data's (default 1; 0 = off; may change on --resume)");
  addSessionOptions(command).action(trainLoopsCommand);
}
