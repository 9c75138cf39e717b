/**
 * `studio train notes`: trains a GANSynth-style note model into a model folder, with checkpoints every N steps and
 * on SIGINT/SIGTERM (then exits 130/143), `--resume` continuing exactly where the folder stopped.
 */
import type { Command } from 'commander';
import * as path from 'node:path';
import { initBackend } from '../ml/backend.js';
import { defaultNoteDatasetDir } from '../data/notes/build.js';
import { noteModelSpec, parseNoteModelSpec, NOTE_PRESETS } from '../gansynth/spec.js';
import { parseNoteTrainConfig, trainDefaultsFor, type NoteTrainConfig } from '../gansynth/train-config.js';
import { loadNoteDataset } from '../gansynth/load-notes.js';
import { trainNoteModel } from '../gansynth/trainer.js';
import { chooseTimbreClasses, TIMBRE_CLASS_SOURCES, type TimbreClassSource } from '../gansynth/timbre-classes.js';
import { StudioError } from '../util/errors.js';
import { commandGroup } from './groups.js';
import { parseIntegerOption, parseListOption, parseNumberOption } from './generate-note.js';
import { addRunOptions, addSessionOptions, cliLog, givenFlags, parseRunFlags, runSpec, runTrainSession, type TrainRunFlags } from './train-common.js';

interface TrainNotesFlags extends TrainRunFlags {
  data?: string;
  batchSize?: string;
  seed?: string;
  lr?: string;
  previewPitches?: string;
  timbreClasses?: string;
  modeSeekingWeight?: string;
}

async function trainNotesCommand(flags: TrainNotesFlags): Promise<void> {
  const { outDir, steps, checkpointEvery, workers } = parseRunFlags(flags, { presets: NOTE_PRESETS, exampleOut: 'models/my-notes' });
  const dataDir = path.resolve(flags.data ?? defaultNoteDatasetDir());

  // Settings only a new run takes (a resumed run keeps its own, or it would not be the same run).
  const fresh: Partial<NoteTrainConfig> = {};
  if (flags.batchSize !== undefined) fresh.batchSize = parseIntegerOption('--batch-size', flags.batchSize, 2, 512);
  if (flags.seed !== undefined) fresh.seed = parseIntegerOption('--seed', flags.seed, 0, 2 ** 31 - 1);
  if (flags.lr !== undefined) fresh.learningRate = parseNumberOption('--lr', flags.lr, 0, 1);
  if (flags.previewPitches !== undefined) fresh.previewPitches = parseListOption('--preview-pitches', flags.previewPitches, 0, 127);
  if (flags.modeSeekingWeight !== undefined) fresh.modeSeekingWeight = parseNumberOption('--mode-seeking-weight', flags.modeSeekingWeight, 0, 1000);
  const timbreSource = parseTimbreSource(flags.timbreClasses);
  const freshFlags = givenFlags({
    '--batch-size': flags.batchSize,
    '--seed': flags.seed,
    '--preview-pitches': flags.previewPitches,
    '--timbre-classes': flags.timbreClasses,
  });

  const info = await initBackend();
  // The spec decides what the data is converted to; on resume it comes from the folder.
  let spec = await runSpec(flags, outDir, { fresh: noteModelSpec(flags.preset), parse: parseNoteModelSpec, freshFlags });
  const config = flags.resume
    ? undefined
    : parseNoteTrainConfig({ ...trainDefaultsFor(flags.preset), ...fresh, ...(steps ? { steps } : {}), ...(checkpointEvery ? { checkpointEvery } : {}) }, 'training options');

  await runTrainSession({ outDir, quiet: flags.quiet, secondSignalExits: true }, async ({ bar, signal, log }) => {
    const data = await loadNoteDataset(dataDir, spec, { onProgress: bar.update });
    for (const s of data.summary.skipped.slice(0, 10)) cliLog(`skipped ${s.file}: ${s.reason}`);
    if (data.summary.skipped.length > 10) cliLog(`... and ${data.summary.skipped.length - 10} more skipped`);
    // A new run conditions on the data's instruments (or families); a resumed one keeps its spec's classes.
    if (!flags.resume) spec = { ...spec, timbreClasses: chooseTimbreClasses(data, spec.latentSize, timbreSource) };
    if (spec.timbreClasses) cliLog(`timbre classes: ${spec.timbreClasses.classes.length} ${spec.timbreClasses.by === 'instrument' ? 'instruments' : 'families'}`);
    cliLog(`training ${spec.preset} on ${data.summary.count} notes (${data.summary.instruments} instruments), ${info.name} backend, ${workers} worker thread(s) -> ${outDir}`);
    // The learning rate and the mode-seeking weight may change on --resume: fine-tuning a trained model (a lower rate
    // to settle it, the term against mode dropping); Adam's moments carry over.
    const resumeOverrides = { steps, checkpointEvery, learningRate: fresh.learningRate, modeSeekingWeight: fresh.modeSeekingWeight };
    return trainNoteModel({ outDir, data, spec, config, resume: flags.resume, resumeOverrides, overwrite: flags.force, workers, signal, onProgress: bar.update, log });
  });
}

export function registerTrainNotes(program: Command): void {
  const command = commandGroup(program, 'train')
    .command('notes')
    .description('train a GANSynth-style note model (WGAN-GP + AC-GAN pitch loss) on a note dataset into a model folder')
    .option('--data <dir>', 'note dataset folder from `studio data notes` (default: audio-data/notes-default)')
    .option('--preset <name>', `model and spectrogram size: ${NOTE_PRESETS.join(', ')}`, 'lite');
  addRunOptions(command, { steps: 'total generator steps (tiny 20, lite 6500, paper 200000); with --resume, trains on to n', previews: 'preview WAVs' })
    .option('--batch-size <n>', 'notes per step (default 8; tiny 4)')
    .option('--seed <n>', 'seed of initial weights, data order and latents (default 0)')
    .option('--lr <rate>', 'Adam learning rate (default: tiny and lite 3e-3, paper 8e-4 as GANSynth; may change on --resume)')
    .option('--preview-pitches <list>', 'MIDI pitches rendered at each checkpoint (default 36,48,60,72)')
    .option('--mode-seeking-weight <w>', 'weight of the mode-seeking term (MSGAN) against mode dropping; may change on --resume (default 0)')
    .option('--timbre-classes <by>', `condition on the data's ${TIMBRE_CLASS_SOURCES.join(' | ')} labels (default auto: instruments, else families, else none)`);
  addSessionOptions(command).action(trainNotesCommand);
}

function parseTimbreSource(value: string | undefined): TimbreClassSource {
  if (value === undefined) return 'auto';
  if (!(TIMBRE_CLASS_SOURCES as readonly string[]).includes(value)) {
    throw new StudioError('BAD_INPUT', `--timbre-classes must be one of ${TIMBRE_CLASS_SOURCES.join(', ')}, got "${value}"`);
  }
  return value as TimbreClassSource;
}
