/**
 * `studio train notes`: trains a GANSynth-style note model into a model folder, with checkpoints every N steps and
 * on SIGINT/SIGTERM (then exits 130/143), `--resume` continuing exactly where the folder stopped.
 */
import { CommanderError, type Command } from 'commander';
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import { initBackend } from '../ml/backend.js';
import { defaultNoteDatasetDir } from '../data/notes/build.js';
import { noteModelSpec, parseNoteModelSpec, NOTE_PRESETS } from '../gansynth/spec.js';
import { parseNoteTrainConfig, trainDefaultsFor, type NoteTrainConfig } from '../gansynth/train-config.js';
import { readModelSummary } from '../checkpoints/folder.js';
import { loadNoteDataset } from '../gansynth/load-notes.js';
import { trainNoteModel } from '../gansynth/trainer.js';
import { ProgressBar } from '../util/progress.js';
import { StudioError } from '../util/errors.js';
import { commandGroup } from './groups.js';
import { parseIntegerOption, parseListOption, parseNumberOption } from './generate-note.js';

interface TrainNotesFlags {
  data?: string;
  preset: string;
  out?: string;
  steps?: string;
  resume?: boolean;
  force?: boolean;
  checkpointEvery?: string;
  batchSize?: string;
  seed?: string;
  lr?: string;
  previewPitches?: string;
  workers?: string;
  quiet?: boolean;
}

/** Both cores of the 2-core machines this targets; wasm computes on one thread per worker. */
const DEFAULT_WORKERS = Math.min(2, availableParallelism());

const EXIT_ON_SIGNAL: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

async function trainNotesCommand(flags: TrainNotesFlags): Promise<void> {
  if (!flags.out) throw new StudioError('BAD_INPUT', 'say where the model folder goes: --out DIR (e.g. models/my-notes)');
  if (!(NOTE_PRESETS as readonly string[]).includes(flags.preset)) {
    throw new StudioError('BAD_INPUT', `--preset must be one of ${NOTE_PRESETS.join(', ')}, got "${flags.preset}"`);
  }
  const outDir = path.resolve(flags.out);
  const dataDir = path.resolve(flags.data ?? defaultNoteDatasetDir());
  const steps = flags.steps === undefined ? undefined : parseIntegerOption('--steps', flags.steps, 1, 10_000_000);
  const checkpointEvery = flags.checkpointEvery === undefined ? undefined : parseIntegerOption('--checkpoint-every', flags.checkpointEvery, 1, 10_000_000);
  const workers = flags.workers === undefined ? DEFAULT_WORKERS : parseIntegerOption('--workers', flags.workers, 1, 64);
  if (flags.resume && flags.force) throw new StudioError('BAD_INPUT', 'use one of --resume (continue) and --force (start over)');
  const log = (message: string) => console.error(`studio: ${message}`);

  // Settings only a new run takes (a resumed run keeps its own, or it would not be the same run).
  const fresh: Partial<NoteTrainConfig> = {};
  const freshFlags: string[] = [];
  if (flags.batchSize !== undefined) fresh.batchSize = parseIntegerOption('--batch-size', flags.batchSize, 2, 512);
  if (flags.seed !== undefined) fresh.seed = parseIntegerOption('--seed', flags.seed, 0, 2 ** 31 - 1);
  if (flags.lr !== undefined) fresh.learningRate = parseNumberOption('--lr', flags.lr, 0, 1);
  if (flags.previewPitches !== undefined) fresh.previewPitches = parseListOption('--preview-pitches', flags.previewPitches, 0, 127);
  for (const [flag, value] of Object.entries({ '--batch-size': flags.batchSize, '--seed': flags.seed, '--lr': flags.lr, '--preview-pitches': flags.previewPitches })) {
    if (value !== undefined) freshFlags.push(flag);
  }

  const info = await initBackend();
  // The spec decides what the data is converted to; on resume it comes from the folder.
  let spec = noteModelSpec(flags.preset);
  let config: NoteTrainConfig | undefined;
  if (flags.resume) {
    spec = parseNoteModelSpec((await readModelSummary(outDir)).spec, path.join(outDir, 'spec.json'));
    if (spec.preset !== flags.preset) log(`--preset ${flags.preset} ignored: ${outDir} is a "${spec.preset}" model and resumes as one`);
    for (const flag of freshFlags) log(`${flag} ignored on --resume (the run keeps its own)`);
  } else {
    const fields = { ...trainDefaultsFor(flags.preset), ...fresh, ...(steps ? { steps } : {}), ...(checkpointEvery ? { checkpointEvery } : {}) };
    config = parseNoteTrainConfig(fields, 'training options');
  }

  const bar = new ProgressBar({ quiet: flags.quiet });
  const controller = new AbortController();
  let stopSignal: string | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal) {
      // A second signal means "now": checkpoints are swapped in atomically, so the last complete one stays.
      log(`${signal} again: stopping without waiting for the checkpoint`);
      process.exit(EXIT_ON_SIGNAL[signal] ?? 1);
    }
    stopSignal = signal;
    log(`${signal}: saving a checkpoint after this step (send it again to stop at once)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const data = await loadNoteDataset(dataDir, spec, { onProgress: bar.update });
    for (const s of data.summary.skipped.slice(0, 10)) log(`skipped ${s.file}: ${s.reason}`);
    if (data.summary.skipped.length > 10) log(`... and ${data.summary.skipped.length - 10} more skipped`);
    log(`training ${spec.preset} on ${data.summary.count} notes (${data.summary.instruments} instruments), ${info.name} backend, ${workers} worker thread(s) -> ${outDir}`);
    const result = await trainNoteModel({
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

export function registerTrainNotes(program: Command): void {
  commandGroup(program, 'train')
    .command('notes')
    .description('train a GANSynth-style note model (WGAN-GP + AC-GAN pitch loss) on a note dataset into a model folder')
    .option('--data <dir>', 'note dataset folder from `studio data notes` (default: audio-data/notes-default)')
    .option('--preset <name>', `model and spectrogram size: ${NOTE_PRESETS.join(', ')}`, 'lite')
    .option('--out <dir>', 'model folder to write (checkpoints replace it atomically)')
    .option('--steps <n>', 'total generator steps (tiny 20, lite 5000, paper 200000); with --resume, trains on to n')
    .option('--resume', 'continue the run in --out from its last checkpoint (same step, optimizer state, data order)')
    .option('--force', 'start over even if --out already holds a model')
    .option('--checkpoint-every <n>', 'save a checkpoint (and preview WAVs) every n steps')
    .option('--batch-size <n>', 'notes per step (default 8; tiny 4)')
    .option('--seed <n>', 'seed of initial weights, data order and latents (default 0)')
    .option('--lr <rate>', 'Adam learning rate (default: tiny and lite 3e-3, paper 8e-4 as GANSynth)')
    .option('--workers <n>', `data-parallel threads, each on its own core (default ${DEFAULT_WORKERS}); --resume is exact with the same count`)
    .option('--preview-pitches <list>', 'MIDI pitches rendered at each checkpoint (default 36,48,60,72)')
    .option('--quiet', 'no progress bar')
    .action(trainNotesCommand);
}
