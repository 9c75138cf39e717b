/**
 * The GAN training loop every model shares: data-parallel iterations until the run's step count, a checkpoint every
 * N steps, when stopped (abort signal: the CLI wires SIGINT/SIGTERM to it) and at a session's step limit, one
 * losses.jsonl line a step, progress events and the common training metrics in metadata.json. The model supplies
 * its step figures, its checkpoint monitoring (previews, sample metrics) and how its checkpoint is saved.
 */
import { backendInfo } from '../ml/backend.js';
import { DataParallelTrainer } from '../ml/parallel/data-parallel.js';
import type { TrainingReplica } from '../ml/parallel/replica.js';
import type { ModelKind, ModelMetadata } from '../checkpoints/folder.js';
import { StudioError } from '../util/errors.js';
import type { BaseTrainingState, LoopConfig, ResumedRun, TrainRunOptions } from './training-run.js';

export type StoppedBy = 'completed' | 'signal' | 'session-limit';

export interface TrainingLoopResult<Figures> {
  step: number;
  totalSteps: number;
  /** Why the session ended. */
  stoppedBy: StoppedBy;
  msPerStep: number;
  lastLosses: Figures | null;
}

/** What a model's monitoring adds to a checkpoint. */
export interface CheckpointMonitor {
  /** Fields of the checkpoint's losses.jsonl line (after `step`). */
  logFields: Record<string, unknown>;
  /** Training metrics for metadata.json (after `losses`). */
  metrics: Record<string, unknown>;
  /** New preview files, relative paths under previews/. */
  previews: Record<string, Uint8Array>;
  /** Appended to the "checkpoint: step N" log line. */
  logSuffix?: string;
}

/** A checkpoint ready to be saved by the model. */
export interface CheckpointToSave {
  step: number;
  trainingSeconds: number;
  metadata: ModelMetadata;
  lossesJsonl: string;
  previews: Record<string, Uint8Array>;
  /** False for the first save of a run that is not resumed: the folder may hold another run's previews. */
  keepEarlierPreviews: boolean;
}

/** The model's own part of the loop. */
export interface ModelTrainingHooks<Figures extends object> {
  /** The step's figures from the main replica and the loss totals averaged over all replicas (phase -> loss). */
  stepFigures(averaged: Record<string, number>): Figures;
  /** The figures that must be finite (otherwise the run diverged). */
  mustBeFinite(figures: Figures): number[];
  /** Figures shown beside the progress bar. */
  progressInfo(figures: Figures): Record<string, number>;
  /** Passes over the data at `step`. */
  epochs(step: number): number;
  monitor(step: number): CheckpointMonitor;
  save(checkpoint: CheckpointToSave): Promise<void>;
}

/** A replica whose GAN counts the run's steps. */
export interface GanReplica extends TrainingReplica {
  readonly gan: { readonly step: number };
}

export interface GanTrainingSetup<Spec extends { preset: string }, Config extends LoopConfig, State extends BaseTrainingState, Replica extends GanReplica, Figures extends object> {
  /** metadata.json `kind`. */
  kind: ModelKind;
  run: TrainRunOptions<Spec, Config>;
  spec: Spec;
  config: Config;
  resumed: ResumedRun<Spec, Config, State> | null;
  /** The dataset summary kept in metadata.json. */
  dataset: unknown;
  /** Module exporting `createReplica` (imported again by each worker thread), and what it is given. */
  replicaModule: string;
  replicaOptions: unknown;
  /** The model's hooks, given the main thread's replica (whose parameters are the model). */
  hooks(replica: Replica): ModelTrainingHooks<Figures>;
}

export async function runGanTraining<Spec extends { preset: string }, Config extends LoopConfig, State extends BaseTrainingState, Replica extends GanReplica, Figures extends object>(
  setup: GanTrainingSetup<Spec, Config, State, Replica, Figures>,
): Promise<TrainingLoopResult<Figures>> {
  const { run, spec, config, resumed } = setup;
  const { outDir } = run;
  const log = run.log ?? (() => {});
  const workers = run.workers ?? 1;
  const parallel = await DataParallelTrainer.start({ module: setup.replicaModule, options: setup.replicaOptions, parties: workers });
  const replica = parallel.replica as Replica;
  const { gan } = replica;
  try {
    if (resumed && gan.step !== resumed.state.step) {
      throw new StudioError('BAD_FILE', `checkpoint is inconsistent: optimizer at step ${gan.step}, training state at step ${resumed.state.step}`);
    }
    const hooks = setup.hooks(replica);
    let trainingSeconds = resumed?.state.trainingSeconds ?? 0;
    let lossesJsonl = resumed?.lossesJsonl ?? '';
    const createdAt = resumed?.metadata.createdAt ?? new Date().toISOString();
    let lastLosses: Figures | null = null;
    let sessionSteps = 0;
    let sessionStepMs = 0;
    let lastSaved = resumed ? gan.step : -1;

    const checkpoint = async (): Promise<void> => {
      const step = gan.step;
      run.onProgress?.({ done: step, total: config.steps, phase: 'checkpoint' });
      const monitor = hooks.monitor(step);
      const msPerStep = sessionSteps > 0 ? sessionStepMs / sessionSteps : null;
      lossesJsonl += JSON.stringify({ type: 'checkpoint', step, ...monitor.logFields, msPerStep }) + '\n';
      const metadata: ModelMetadata = {
        kind: setup.kind,
        formatVersion: 1,
        preset: spec.preset,
        step,
        createdAt,
        updatedAt: new Date().toISOString(),
        config,
        dataset: setup.dataset,
        metrics: {
          ...carriedMetrics(resumed?.metadata, step),
          training: {
            losses: lastLosses ? rounded(lastLosses) : null,
            ...monitor.metrics,
            msPerStep,
            workers,
            trainingSeconds: Math.round(trainingSeconds),
            epochs: Number(hooks.epochs(step).toFixed(3)),
          },
        },
        backend: backendInfo()?.name,
      };
      await hooks.save({ step, trainingSeconds, metadata, lossesJsonl, previews: monitor.previews, keepEarlierPreviews: lastSaved >= 0 });
      lastSaved = step;
      log(`checkpoint: step ${step}${monitor.logSuffix ?? ''}`);
    };

    let stoppedBy: StoppedBy = 'completed';
    run.onProgress?.({ done: gan.step, total: config.steps, phase: 'training' });
    while (gan.step < config.steps) {
      if (run.signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (run.sessionSteps !== undefined && sessionSteps >= run.sessionSteps) {
        stoppedBy = 'session-limit';
        break;
      }
      const started = performance.now();
      const averaged = await parallel.iterate();
      const elapsed = performance.now() - started;
      const figures = hooks.stepFigures(averaged);
      if (!hooks.mustBeFinite(figures).every(Number.isFinite)) {
        throw new StudioError('INTERNAL', `training diverged at step ${gan.step} (non-finite loss); the last good checkpoint is step ${Math.max(lastSaved, 0)} in ${outDir}`);
      }
      lastLosses = figures;
      sessionSteps++;
      sessionStepMs += elapsed;
      trainingSeconds += elapsed / 1000;
      const step = gan.step;
      lossesJsonl += JSON.stringify({ step, ms: Math.round(elapsed), ...rounded(figures) }) + '\n';
      run.onProgress?.({ done: step, total: config.steps, phase: 'training', info: hooks.progressInfo(figures) });
      if (step % config.checkpointEvery === 0 || step === config.steps) await checkpoint();
      // Let signals (and a server's sockets) through between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (lastSaved !== gan.step) await checkpoint();
    return { step: gan.step, totalSteps: config.steps, stoppedBy, msPerStep: sessionSteps > 0 ? sessionStepMs / sessionSteps : NaN, lastLosses };
  } finally {
    await parallel.close();
  }
}

/** Figures rounded for the JSON log (float noise beyond 6 significant digits helps nobody). */
function rounded(figures: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toPrecision(6)) : v]));
}

/**
 * The metrics a resumed run's checkpoint keeps from the folder's: all but an `eval` measured on other weights (a
 * model's figures must be its own; `studio eval ... --save` measures them again).
 */
function carriedMetrics(resumed: ModelMetadata | undefined, step: number): Record<string, unknown> {
  if (!resumed?.metrics) return {};
  const { eval: measured, ...rest } = resumed.metrics as Record<string, unknown>;
  return resumed.step === step && measured !== undefined ? { ...rest, eval: measured } : rest;
}
