/**
 * The loop-model training loop: WGAN-GP iterations (data-parallel over worker threads when asked), a checkpoint
 * every N steps and when stopped (abort signal: the CLI wires SIGINT/SIGTERM to it), exact resume, losses.jsonl,
 * preview MIDI loops and sample metrics per checkpoint. Checkpoints are whole model folders swapped in
 * atomically, so a SIGKILL at any moment leaves the last one loadable and resumable.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../ml/tf.js';
import { backendInfo } from '../ml/backend.js';
import { DataParallelTrainer } from '../ml/parallel/data-parallel.js';
import type { ModelMetadata } from '../checkpoints/folder.js';
import { evaluateLoops } from '../music/metrics.js';
import { rollToMidi } from '../music/midi-out.js';
import type { ProgressCallback } from '../util/progress.js';
import { StudioError } from '../util/errors.js';
import { loadLoopCheckpoint, previewDirName, saveLoopCheckpoint } from './checkpoint.js';
import { generateLoops } from './generate.js';
import { loopReplicaShares, type LoopReplica, type LoopReplicaOptions, type LoopStepFigures } from './loop-replica.js';
import type { LoopDataSummary, PackedPhrases } from './phrase-data.js';
import type { LoopSpec } from './spec.js';
import type { LoopTrainConfig } from './train-config.js';

/** The replica module, imported again by each worker thread (the .ts source under tsx, .js when built). */
const REPLICA_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), `loop-replica${path.extname(fileURLToPath(import.meta.url))}`);

/** Loops generated at each checkpoint for the sample metrics in metadata.json (fixed seeds). */
export const MONITOR_LOOPS = 16;

export interface TrainLoopModelOptions {
  outDir: string;
  data: { packed: PackedPhrases; summary: LoopDataSummary };
  /** New runs: the spec and config to train. A resumed run takes both from the folder. */
  spec?: LoopSpec;
  config?: LoopTrainConfig;
  resume?: boolean;
  /** On resume, these may change (e.g. train longer). */
  resumeOverrides?: Partial<Pick<LoopTrainConfig, 'steps' | 'checkpointEvery'>>;
  /** Replace a model already in `outDir` (otherwise that is an error, to protect a trained model). */
  overwrite?: boolean;
  /** Stop (with a checkpoint) once this session has run this many steps; the run stays resumable. */
  sessionSteps?: number;
  /** Data-parallel threads, the main one included (default 1); the batch must split evenly. */
  workers?: number;
  onProgress?: ProgressCallback;
  /** Aborting stops after the current step, with a checkpoint. */
  signal?: AbortSignal;
  log?: (message: string) => void;
}

export interface TrainLoopModelResult {
  step: number;
  totalSteps: number;
  stoppedBy: 'completed' | 'signal' | 'session-limit';
  msPerStep: number;
  lastLosses: LoopStepFigures | null;
}

function rounded(figures: LoopStepFigures): Record<string, number | boolean> {
  return Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toPrecision(6)) : v]));
}

export async function trainLoopModel(options: TrainLoopModelOptions): Promise<TrainLoopModelResult> {
  const log = options.log ?? (() => {});
  const { data, outDir } = options;
  let spec: LoopSpec;
  let config: LoopTrainConfig;
  let resumed: Awaited<ReturnType<typeof loadLoopCheckpoint>> | null = null;
  if (options.resume) {
    if (!existsSync(outDir)) throw new StudioError('NOT_FOUND', `--resume: ${outDir} does not exist (start a run without --resume)`);
    resumed = await loadLoopCheckpoint(outDir);
    tf.dispose([resumed.weights, resumed.trainingWeights]); // the replicas load their own copies
    spec = resumed.spec;
    config = { ...resumed.config, ...definedOnly(options.resumeOverrides ?? {}) };
    checkResumable(resumed.metadata, data.summary, log);
    log(`resuming ${outDir} at step ${resumed.state.step} of ${config.steps}`);
  } else {
    if (!options.spec || !options.config) throw new StudioError('INTERNAL', 'a new training run needs a spec and a config');
    if (existsSync(outDir) && !options.overwrite) {
      throw new StudioError('CONFLICT', `${outDir} already exists; pass --resume to continue its training or --force to start over`);
    }
    spec = options.spec;
    config = options.config;
  }

  const workers = options.workers ?? 1;
  loopReplicaShares(config.batchSize, workers);
  const replicaOptions: LoopReplicaOptions = { spec, config, data: data.packed, resumeFrom: resumed ? outDir : undefined };
  const parallel = await DataParallelTrainer.start({ module: REPLICA_MODULE, options: replicaOptions, parties: workers });
  const replica = parallel.replica as LoopReplica;
  const { gan } = replica;
  try {
    if (resumed && gan.step !== resumed.state.step) {
      throw new StudioError('BAD_FILE', `checkpoint is inconsistent: optimizer at step ${gan.step}, training state at step ${resumed.state.step}`);
    }
    let trainingSeconds = resumed?.state.trainingSeconds ?? 0;
    let lossesJsonl = resumed?.lossesJsonl ?? '';
    const createdAt = resumed?.metadata.createdAt ?? new Date().toISOString();
    let lastLosses: LoopStepFigures | null = null;
    let sessionSteps = 0;
    let sessionStepMs = 0;
    let lastSaved = resumed ? gan.step : -1;

    const checkpoint = async (): Promise<void> => {
      const step = gan.step;
      options.onProgress?.({ done: step, total: config.steps, phase: 'checkpoint' });
      // Fixed seeds, so previews and figures are comparable from one checkpoint to the next.
      const samples = generateLoops(gan.generator, spec, Array.from({ length: Math.max(MONITOR_LOOPS, config.previewCount) }, (_, seed) => ({ seed })));
      const previews: Record<string, Uint8Array> = {};
      samples.slice(0, config.previewCount).forEach((roll, seed) => {
        previews[`${previewDirName(step)}/loop-seed-${seed}.mid`] = rollToMidi(roll, { name: `preview step ${step} seed ${seed}` });
      });
      const sampleMetrics = evaluateLoops(samples.slice(0, MONITOR_LOOPS));
      const msPerStep = sessionSteps > 0 ? sessionStepMs / sessionSteps : null;
      lossesJsonl += JSON.stringify({ type: 'checkpoint', step, msPerStep }) + '\n';
      const metadata: ModelMetadata = {
        kind: 'loops',
        formatVersion: 1,
        preset: spec.preset,
        step,
        createdAt,
        updatedAt: new Date().toISOString(),
        config,
        dataset: data.summary,
        metrics: {
          ...(resumed?.metadata.metrics ?? {}),
          training: {
            losses: lastLosses ? rounded(lastLosses) : null,
            samples: sampleMetrics,
            msPerStep,
            workers,
            trainingSeconds: Math.round(trainingSeconds),
            epochs: Number(((step * (config.criticSteps + 1) * config.batchSize) / data.summary.count).toFixed(3)),
          },
        },
        backend: backendInfo()?.name,
      };
      await saveLoopCheckpoint(outDir, { gan, state: { step, trainingSeconds }, metadata, lossesJsonl, previews });
      lastSaved = step;
      log(`checkpoint: step ${step}`);
    };

    let stoppedBy: TrainLoopModelResult['stoppedBy'] = 'completed';
    options.onProgress?.({ done: gan.step, total: config.steps, phase: 'training' });
    while (gan.step < config.steps) {
      if (options.signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (options.sessionSteps !== undefined && sessionSteps >= options.sessionSteps) {
        stoppedBy = 'session-limit';
        break;
      }
      const started = performance.now();
      const averaged = await parallel.iterate();
      const elapsed = performance.now() - started;
      // Figures of the main replica's share, with the loss totals averaged over all shares.
      const figures: LoopStepFigures = { ...replica.lastFigures()!, criticLoss: mean(Object.entries(averaged).filter(([k]) => k !== 'g').map(([, v]) => v)), generatorLoss: averaged.g! };
      if (![figures.criticLoss, figures.generatorLoss, figures.wasserstein, figures.gradientPenalty].every(Number.isFinite)) {
        throw new StudioError('INTERNAL', `training diverged at step ${gan.step} (non-finite loss); the last good checkpoint is step ${Math.max(lastSaved, 0)} in ${outDir}`);
      }
      lastLosses = figures;
      sessionSteps++;
      sessionStepMs += elapsed;
      trainingSeconds += elapsed / 1000;
      const step = gan.step;
      lossesJsonl += JSON.stringify({ step, ms: Math.round(elapsed), ...rounded(figures) }) + '\n';
      options.onProgress?.({
        done: step,
        total: config.steps,
        phase: 'training',
        info: { D: figures.criticLoss, G: figures.generatorLoss, W: figures.wasserstein, density: figures.fakeDensity },
      });
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

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Refuses a resume on other data (a different run), warns when only the sources' description changed. */
function checkResumable(metadata: ModelMetadata, summary: LoopDataSummary, log: (m: string) => void): void {
  const before = metadata.dataset as Partial<LoopDataSummary> | null;
  if (before?.count !== undefined && before.count !== summary.count) {
    throw new StudioError('CONFLICT', `the checkpoint was trained on ${before.count} phrases but ${summary.dir} has ${summary.count}; resume with the same data`);
  }
  if (before?.sha256 && before.sha256 !== summary.sha256) {
    log('warning: the dataset changed since the checkpoint; training continues, but not as an exact resume');
  }
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
