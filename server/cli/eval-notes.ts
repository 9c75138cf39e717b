/**
 * `studio eval notes`: pitch accuracy, NDB/k and Frechet distance of a note model against a note dataset, beside the
 * same figures for held-out real notes (the ceiling). Prints JSON; `--save` also records it in the model's metadata.
 */
import type { Command } from 'commander';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { initBackend } from '../ml/backend.js';
import { defaultNoteDatasetDir } from '../data/notes/build.js';
import { NoteModel } from '../gansynth/note-model.js';
import { loadNoteDataset } from '../gansynth/load-notes.js';
import { evaluateNotes, evaluateDefaults } from '../gansynth/eval/evaluate.js';
import { readableModelDir } from '../checkpoints/folder.js';
import { writeFileAtomic } from '../util/atomic.js';
import { ProgressBar } from '../util/progress.js';
import { StudioError } from '../util/errors.js';
import { commandGroup } from './groups.js';
import { parseIntegerOption, parseNumberOption } from './generate-note.js';

interface EvalNotesFlags {
  model?: string;
  data?: string;
  count?: string;
  k: string;
  heldOut: string;
  seed: string;
  save?: boolean;
  quiet?: boolean;
}

async function evalNotesCommand(flags: EvalNotesFlags): Promise<void> {
  if (!flags.model) throw new StudioError('BAD_INPUT', 'say which model: --model DIR or --model ID');
  const dataDir = path.resolve(flags.data ?? defaultNoteDatasetDir());
  const k = parseIntegerOption('--k', flags.k, 2, 1000);
  const heldOutShare = parseNumberOption('--held-out', flags.heldOut, 0, 0.9);
  const seed = parseIntegerOption('--seed', flags.seed, 0, 2 ** 31 - 1);
  const count = flags.count === undefined ? undefined : parseIntegerOption('--count', flags.count, 10, 100_000);
  const info = await initBackend();
  const model = await NoteModel.load(flags.model);
  const bar = new ProgressBar({ quiet: flags.quiet });
  try {
    const data = await loadNoteDataset(dataDir, model.spec, { images: false, audio: true, onProgress: bar.update });
    const realNotes = data.audio.map((audio, i) => ({ audio, midiPitch: data.midiPitches[i]!, instrument: data.instruments[i]! }));
    const evaluation = evaluateNotes(model, realNotes, { k, heldOutShare, seed, count, onProgress: bar.update });
    bar.stop();
    const report = {
      model: model.dir,
      step: model.metadata.step,
      preset: model.spec.preset,
      data: dataDir,
      skipped: data.summary.skipped.length,
      backend: info.name,
      evaluatedAt: new Date().toISOString(),
      ...evaluation,
    };
    console.log(JSON.stringify(report, null, 2));
    if (flags.save) await saveToMetadata(model.dir, report);
  } finally {
    bar.stop();
    model.dispose();
  }
}

/** Records the report as metrics.eval in metadata.json (one file replaced atomically; weights untouched). */
async function saveToMetadata(modelDir: string, report: object): Promise<void> {
  const file = path.join(readableModelDir(modelDir), 'metadata.json');
  const metadata = JSON.parse(await fs.readFile(file, 'utf8')) as { metrics?: Record<string, unknown> };
  metadata.metrics = { ...(metadata.metrics ?? {}), eval: report };
  await writeFileAtomic(file, JSON.stringify(metadata, null, 2) + '\n');
}

export function registerEvalNotes(program: Command): void {
  commandGroup(program, 'eval')
    .command('notes')
    .description('measure a note model (pitch accuracy, NDB/k, Frechet distance) beside real-vs-held-out-real, as JSON')
    .option('--model <dir|id>', 'model folder, or a model id under models/')
    .option('--data <dir>', 'note dataset folder (default: audio-data/notes-default)')
    .option('--count <n>', 'generated notes (default: as many as held out)')
    .option('--k <n>', 'NDB bins (k-means clusters)', String(evaluateDefaults.k))
    .option('--held-out <share>', 'share of real notes held out as the ceiling test set', String(evaluateDefaults.heldOutShare))
    .option('--seed <n>', 'seed of the split, the timbres and k-means', String(evaluateDefaults.seed))
    .option('--save', "also store the report in the model's metadata.json (metrics.eval)")
    .option('--quiet', 'no progress bar')
    .action(evalNotesCommand);
}
