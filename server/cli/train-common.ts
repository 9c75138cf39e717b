/**
 * What `studio train notes` and `studio train loops` share: the run flags (--out, --steps, --resume, --force,
 * --checkpoint-every, --workers, --quiet), the notices of a resume, and a session with a progress bar in which
 * SIGINT/SIGTERM stop training at the next step with a checkpoint, then exit 130/143 so scripts can tell.
 */
import { CommanderError, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { readModelSummary } from '../checkpoints/folder.js';
import { ProgressBar } from '../util/progress.js';
import { StudioError } from '../util/errors.js';
import { parseIntegerOption } from './generate-note.js';

/** Both cores of the 2-core machines this targets; wasm computes on one thread per worker. */
export const DEFAULT_TRAIN_WORKERS = Math.min(2, availableParallelism());

const EXIT_ON_SIGNAL: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export interface TrainRunFlags {
  preset: string;
  out?: string;
  steps?: string;
  resume?: boolean;
  force?: boolean;
  checkpointEvery?: string;
  workers?: string;
  quiet?: boolean;
}

export interface ParsedRunFlags {
  outDir: string;
  steps: number | undefined;
  checkpointEvery: number | undefined;
  workers: number;
}

export interface RunFlagRules {
  presets: readonly string[];
  /** Shown when --out is missing, e.g. "models/my-notes". */
  exampleOut: string;
}

export function parseRunFlags(flags: TrainRunFlags, rules: RunFlagRules): ParsedRunFlags {
  if (!flags.out) throw new StudioError('BAD_INPUT', `say where the model folder goes: --out DIR (e.g. ${rules.exampleOut})`);
  if (!rules.presets.includes(flags.preset)) {
    throw new StudioError('BAD_INPUT', `--preset must be one of ${rules.presets.join(', ')}, got "${flags.preset}"`);
  }
  if (flags.resume && flags.force) throw new StudioError('BAD_INPUT', 'use one of --resume (continue) and --force (start over)');
  return {
    outDir: path.resolve(flags.out),
    steps: flags.steps === undefined ? undefined : parseIntegerOption('--steps', flags.steps, 1, 10_000_000),
    checkpointEvery: flags.checkpointEvery === undefined ? undefined : parseIntegerOption('--checkpoint-every', flags.checkpointEvery, 1, 10_000_000),
    workers: flags.workers === undefined ? DEFAULT_TRAIN_WORKERS : parseIntegerOption('--workers', flags.workers, 1, 64),
  };
}

/** The names of the flags given (value not undefined), e.g. to say which a resume ignores. */
export function givenFlags(values: Record<string, unknown>): string[] {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
}

export interface RunSpecSources<Spec> {
  /** The spec a new run trains (from --preset and the model's own flags). */
  fresh: Spec;
  parse(raw: unknown, source: string): Spec;
  /** Flags given that only a new run takes. */
  freshFlags: string[];
}

/**
 * The spec of the run: on --resume the folder's, saying which flags it then ignores (a resumed run keeps its own
 * preset and settings, or it would not be the same run); otherwise the fresh one.
 */
export async function runSpec<Spec extends { preset: string }>(flags: TrainRunFlags, outDir: string, sources: RunSpecSources<Spec>): Promise<Spec> {
  if (!flags.resume) return sources.fresh;
  const spec = sources.parse((await readModelSummary(outDir)).spec, path.join(outDir, 'spec.json'));
  if (spec.preset !== flags.preset) cliLog(`--preset ${flags.preset} ignored: ${outDir} is a "${spec.preset}" model and resumes as one`);
  for (const flag of sources.freshFlags) cliLog(`${flag} ignored on --resume (the run keeps its own)`);
  return spec;
}

/** Logs as `studio: ...` on stderr. */
export function cliLog(message: string): void {
  console.error(`studio: ${message}`);
}

export interface TrainSession {
  bar: ProgressBar;
  /** Aborted by the first SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Logs above the progress bar. */
  log: (message: string) => void;
}

export interface TrainCommandOptions {
  outDir: string;
  quiet?: boolean;
  /** A second signal exits at once (checkpoints are swapped in atomically, the last complete one stays); otherwise it is ignored. */
  secondSignalExits: boolean;
}

/** Runs `train` with a progress bar and stop signals wired up, prints its result as JSON, exits 130/143 when stopped. */
export async function runTrainSession(options: TrainCommandOptions, train: (session: TrainSession) => Promise<{ step: number; stoppedBy: string }>): Promise<void> {
  const bar = new ProgressBar({ quiet: options.quiet });
  const controller = new AbortController();
  let stopSignal: string | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal) {
      if (!options.secondSignalExits) return; // already stopping: let the checkpoint finish
      cliLog(`${signal} again: stopping without waiting for the checkpoint`);
      process.exit(EXIT_ON_SIGNAL[signal] ?? 1);
    }
    stopSignal = signal;
    cliLog(`${signal}: saving a checkpoint after this step${options.secondSignalExits ? ' (send it again to stop at once)' : ''}`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const log = (message: string) => {
      bar.stop();
      cliLog(message);
    };
    const result = await train({ bar, signal: controller.signal, log });
    bar.stop();
    console.log(JSON.stringify({ out: options.outDir, ...result }, null, 2));
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

export interface RunOptionTexts {
  /** Help of --steps, e.g. "total generator steps (tiny 20, lite 5000, paper 200000); with --resume, trains on to n". */
  steps: string;
  /** What a checkpoint saves beside the model, e.g. "preview WAVs". */
  previews: string;
}

/** --out, --steps, --resume, --force, --checkpoint-every. */
export function addRunOptions(command: Command, texts: RunOptionTexts): Command {
  return command
    .option('--out <dir>', 'model folder to write (checkpoints replace it atomically)')
    .option('--steps <n>', texts.steps)
    .option('--resume', 'continue the run in --out from its last checkpoint (same step, optimizer state, data order)')
    .option('--force', 'start over even if --out already holds a model')
    .option('--checkpoint-every <n>', `save a checkpoint (and ${texts.previews}) every n steps`);
}

/** --workers, --quiet. */
export function addSessionOptions(command: Command): Command {
  return command
    .option('--workers <n>', `data-parallel threads, each on its own core (default ${DEFAULT_TRAIN_WORKERS}); --resume is exact with the same count`)
    .option('--quiet', 'no progress bar');
}
