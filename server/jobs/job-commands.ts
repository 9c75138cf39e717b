/**
 * What each job type runs: a `studio` CLI command line built from the job's validated options. Names (model ids,
 * dataset names, export names) become folders under the server's own directories; no option is used as a path except
 * data-loops' `from`, which the schema restricts to an absolute folder that is only read.
 */
import * as path from 'node:path';
import { AUDIO_FORMAT_BITS, type JobRequestParsed, type JobType, type JobView } from '../protocol.js';

export interface JobDirectories {
  /** Where training jobs write model folders (the registry's first directory). */
  modelsDir: string;
  /** Dataset roots: audio-data/ for notes, midi-data/ for loops. */
  audioDataDir: string;
  midiDataDir: string;
  /** Where render jobs write their export folders (<exportsDir>/<name>/); default: exports/ beside modelsDir. */
  exportsDir?: string;
}

export interface CommandContext extends JobDirectories {
  /** This run continues an earlier one (training: from its checkpoint). */
  resume: boolean;
}

/** The folder a job writes, as an id or dataset name (shown to clients, used to find previews). */
export function jobOutput(request: JobRequestParsed): JobView['output'] {
  switch (request.type) {
    case 'train-notes':
    case 'train-loops':
      return { model: request.options.model };
    case 'data-notes':
    case 'data-loops':
      return request.options.out ? { dataset: request.options.out } : {};
    case 'render-instrument': {
      const o = request.options;
      return { export: o.name ?? defaultInstrumentExportName(o.model, o.seed, o.instrument) };
    }
    case 'render-loops':
      return { export: request.options.name ?? `${request.options.model}-loops-seed${request.options.firstSeed}` };
  }
}

/** Arguments after `studio`, e.g. ['train', 'notes', '--out', '/…/models/x', '--preset', 'tiny', '--resume']. */
export function jobArgv(request: JobRequestParsed, ctx: CommandContext): string[] {
  switch (request.type) {
    case 'train-notes':
    case 'train-loops': {
      const o = request.options;
      const kind = request.type === 'train-notes' ? 'notes' : 'loops';
      const dataRoot = kind === 'notes' ? ctx.audioDataDir : ctx.midiDataDir;
      return [
        'train', kind,
        '--out', path.join(ctx.modelsDir, o.model),
        '--preset', o.preset,
        ...flag('--steps', o.steps),
        ...flag('--data', o.data === undefined ? undefined : path.join(dataRoot, o.data)),
        ...flag('--seed', o.seed),
        ...flag('--batch-size', o.batchSize),
        ...flag('--checkpoint-every', o.checkpointEvery),
        ...(ctx.resume || o.resume ? ['--resume'] : []),
      ];
    }
    case 'data-notes': {
      const o = request.options;
      return [
        'data', 'notes',
        ...flag('--out', o.out === undefined ? undefined : path.join(ctx.audioDataDir, o.out)),
        ...flag('--font', o.font),
        ...flag('--programs', o.programs?.join(',')),
        ...flag('--pitches', o.pitches ? `${o.pitches.min}-${o.pitches.max}` : undefined),
        ...flag('--velocities', o.velocities?.join(',')),
        ...flag('--seconds', o.seconds),
        ...flag('--rate', o.rate),
      ];
    }
    case 'data-loops': {
      const o = request.options;
      return [
        'data', 'loops',
        '--from', o.from,
        ...flag('--out', o.out === undefined ? undefined : path.join(ctx.midiDataDir, o.out)),
        ...flag('--bars', o.bars),
        ...flag('--min-tracks', o.minTracks),
      ];
    }
    case 'render-instrument': {
      const o = request.options;
      const name = jobOutput(request).export!;
      return [
        'generate', 'instrument',
        '--model', path.join(ctx.modelsDir, o.model),
        '--seed', String(o.seed),
        '--pitches', `${o.pitchRange.min}-${o.pitchRange.max}`,
        ...flag('--every', o.every),
        '--velocities', o.velocities.join(','),
        '--bit-depth', String(AUDIO_FORMAT_BITS[o.format]),
        ...flag('--rate', o.sampleRate),
        ...flag('--instrument', o.instrument),
        '--name', name,
        '--out', path.join(exportsDirOf(ctx), name),
        '--force', '--quiet',
      ];
    }
    case 'render-loops': {
      const o = request.options;
      const name = jobOutput(request).export!;
      return [
        'generate', 'loops',
        '--model', path.join(ctx.modelsDir, o.model),
        '--count', String(o.count),
        '--seed', String(o.firstSeed),
        '--bars', String(o.bars),
        '--tempo', String(o.tempo),
        '--threshold', String(o.threshold),
        ...flag('--tracks', o.tracks?.join(',')),
        ...flag('--key', o.key),
        ...flag('--scale', o.scale),
        ...(o.stems ? ['--stems'] : []),
        '--name', name,
        '--out', path.join(exportsDirOf(ctx), name),
        '--force', '--quiet',
      ];
    }
  }
}

/**
 * `<model>-seed<seed>`, with the instrument between when one is named: its characters outside an export name's
 * alphabet become "-", and the name is cut to the 64 characters an export name may have (the seed kept).
 */
export function defaultInstrumentExportName(model: string, seed: number, instrument?: string): string {
  const tail = `-seed${seed}`;
  if (instrument === undefined) return `${model}${tail}`;
  const safe = instrument.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/\.{2,}/g, '.');
  return `${`${model}-${safe}`.slice(0, 64 - tail.length)}${tail}`;
}

export function exportsDirOf(dirs: JobDirectories): string {
  return dirs.exportsDir ?? path.join(path.dirname(dirs.modelsDir), 'exports');
}

export function isRenderJob(type: JobType): boolean {
  return type === 'render-instrument' || type === 'render-loops';
}

export function isTrainingJob(type: JobType): boolean {
  return type === 'train-notes' || type === 'train-loops';
}

function flag(name: string, value: string | number | undefined): string[] {
  return value === undefined ? [] : [name, String(value)];
}
