/**
 * What every GAN training run shares before its first step: the options of a run, starting a new one or resuming
 * the one in the folder (the folder's spec and config win; only `steps` and `checkpointEvery` may change), and the
 * check that the data is the data the checkpoint was trained on.
 */
import { existsSync } from 'node:fs';
import { tf } from '../ml/tf.js';
import type { ProgressCallback } from '../util/progress.js';
import { StudioError } from '../util/errors.js';
import type { LoadedGanCheckpoint } from './checkpoint-files.js';

/** The run-config fields the training loop itself reads. */
export interface LoopConfig {
  steps: number;
  checkpointEvery: number;
}

export interface TrainRunOptions<Spec, Config extends LoopConfig> {
  outDir: string;
  /** New runs: the spec and config to train. A resumed run takes both from the folder. */
  spec?: Spec;
  config?: Config;
  /** Continue the run in `outDir` from its last checkpoint. */
  resume?: boolean;
  /**
   * On resume, these may change: train longer, checkpoint at another rhythm, or (a trainer's choice) fine-tune with
   * other loss weights. Anything else stays the run's own.
   */
  resumeOverrides?: Partial<Config>;
  /** Replace a model already in `outDir` (otherwise that is an error, to protect a trained model). */
  overwrite?: boolean;
  /** Stop (with a checkpoint) once this session has run this many steps; the run stays resumable. */
  sessionSteps?: number;
  /**
   * Data-parallel worker threads, the main one included (default 1). Each computes gradients on its share of the
   * batch on its own backend; 2 uses both cores of a 2-core machine with wasm. Results are exact for a given count.
   */
  workers?: number;
  onProgress?: ProgressCallback;
  /** Aborting stops after the current step, with a checkpoint. */
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/** The run state every checkpoint holds (a model may add more). */
export interface BaseTrainingState {
  step: number;
  /** Wall-clock seconds of training so far, over all sessions. */
  trainingSeconds: number;
}

export type ResumedRun<Spec, Config, State extends BaseTrainingState> = LoadedGanCheckpoint<Spec, Config, State>;

export interface OpenedRun<Spec, Config, State extends BaseTrainingState> {
  spec: Spec;
  config: Config;
  /** The checkpoint resumed from (its weight maps already disposed: the replicas load their own copies). */
  resumed: ResumedRun<Spec, Config, State> | null;
}

/** A new run (refusing to replace a model unless `overwrite`) or the folder's run, read for `--resume`. */
export async function openTrainingRun<Spec, Config extends LoopConfig, State extends BaseTrainingState>(
  options: TrainRunOptions<Spec, Config>,
  loadCheckpoint: (dir: string) => Promise<LoadedGanCheckpoint<Spec, Config, State>>,
): Promise<OpenedRun<Spec, Config, State>> {
  const { outDir } = options;
  if (options.resume) {
    if (!existsSync(outDir)) throw new StudioError('NOT_FOUND', `--resume: ${outDir} does not exist (start a run without --resume)`);
    const resumed = await loadCheckpoint(outDir);
    tf.dispose([resumed.weights, resumed.trainingWeights]);
    const overrides = definedOnly(options.resumeOverrides ?? {}) as Partial<Config>;
    for (const [key, value] of Object.entries(overrides)) {
      const was = (resumed.config as Record<string, unknown>)[key];
      if (key !== 'steps' && key !== 'checkpointEvery' && was !== value) options.log?.(`${key} ${String(value)} from here on (the run had ${String(was)})`);
    }
    return { spec: resumed.spec, config: { ...resumed.config, ...overrides }, resumed };
  }
  if (!options.spec || !options.config) throw new StudioError('INTERNAL', 'a new training run needs a spec and a config');
  if (existsSync(outDir) && !options.overwrite) {
    throw new StudioError('CONFLICT', `${outDir} already exists; pass --resume to continue its training or --force to start over`);
  }
  return { spec: options.spec, config: options.config, resumed: null };
}

/** The data a run is given, as far as a resume cares. */
export interface TrainingDataIdentity {
  dir: string;
  count: number;
  /** What is counted, e.g. "notes". */
  unit: string;
  /** Field of the dataset summary holding its content hash, and the current value. */
  hashField: string;
  hash: string | undefined;
  /** Warning when only the hash changed. */
  changedWarning: string;
}

/**
 * Refuses a resume on data of another size (a different run), warns when only its content hash changed, and says
 * where the run resumes.
 */
export function confirmResume(outDir: string, resumed: ResumedRun<unknown, LoopConfig, BaseTrainingState>, totalSteps: number, data: TrainingDataIdentity, log: (message: string) => void): void {
  const before = resumed.metadata.dataset as Record<string, unknown> | null;
  const count = before?.count;
  if (count !== undefined && count !== data.count) {
    throw new StudioError('CONFLICT', `the checkpoint was trained on ${count} ${data.unit} but ${data.dir} has ${data.count}; resume with the same data`);
  }
  const hash = before?.[data.hashField];
  if (hash && hash !== data.hash) log(`warning: ${data.changedWarning} since the checkpoint; training continues, but not as an exact resume`);
  log(`resuming ${outDir} at step ${resumed.state.step} of ${totalSteps}`);
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
