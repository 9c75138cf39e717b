/**
 * The note-model training loop: WGAN-GP + AC-GAN steps over shuffled batches, a checkpoint every N steps and when
 * stopped (abort signal: the CLI wires SIGINT/SIGTERM to it), exact resume, losses.jsonl, previews, diversity.
 * Checkpoints are whole model folders swapped in atomically, so a SIGKILL leaves the last one loadable.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../ml/tf.js';
import { backendInfo } from '../ml/backend.js';
import { DataParallelTrainer } from '../ml/parallel/data-parallel.js';
import type { ModelMetadata } from '../checkpoints/folder.js';
import type { ProgressCallback } from '../util/progress.js';
import { StudioError } from '../util/errors.js';
import type { StepLosses } from './note-gan.js';
import { imageShape, type NoteModelSpec } from './spec.js';
import type { NoteTrainConfig } from './train-config.js';
import type { NoteImageSet } from './note-dataset.js';
import { loadNoteCheckpoint, previewDirName, saveNoteCheckpoint, type NoteTrainingState } from './checkpoint.js';
import { measureDiversity, realNotesByPitch, renderPreviews } from './training-monitor.js';
import { COLLAPSE_WARNING_RATIO } from './diversity.js';
import { replicaShares, type NoteReplica, type NoteReplicaOptions } from './note-replica.js';

/** The replica module, imported again by each worker thread (the .ts source under tsx, .js when built). */
const REPLICA_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), `note-replica${path.extname(fileURLToPath(import.meta.url))}`);

export interface TrainNoteModelOptions {
  outDir: string;
  data: NoteImageSet;
  /** New runs: the spec and config to train. A resumed run takes both from the folder. */
  spec?: NoteModelSpec;
  config?: NoteTrainConfig;
  /** Continue the run in `outDir` from its last checkpoint. */
  resume?: boolean;
  /** On resume, these may change (e.g. train longer). */
  resumeOverrides?: Partial<Pick<NoteTrainConfig, 'steps' | 'checkpointEvery'>>;
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

export interface TrainNoteModelResult {
  step: number;
  totalSteps: number;
  /** Why the session ended. */
  stoppedBy: 'completed' | 'signal' | 'session-limit';
  msPerStep: number;
  lastLosses: StepLosses | null;
  diversity: number;
}

/** Figures rounded for the JSON log (float noise beyond 6 significant digits helps nobody). */
function rounded(losses: StepLosses): Record<string, number> {
  return Object.fromEntries(Object.entries(losses).map(([k, v]) => [k, Number(v.toPrecision(6))]));
}

export async function trainNoteModel(options: TrainNoteModelOptions): Promise<TrainNoteModelResult> {
  const log = options.log ?? (() => {});
  const { data, outDir } = options;
  if (data.images.length < 2) throw new StudioError('BAD_INPUT', `${data.summary.dir}: needs at least 2 usable notes, found ${data.images.length}`);

  let spec: NoteModelSpec;
  let config: NoteTrainConfig;
  let resumed: Awaited<ReturnType<typeof loadNoteCheckpoint>> | null = null;
  if (options.resume) {
    if (!existsSync(outDir)) throw new StudioError('NOT_FOUND', `--resume: ${outDir} does not exist (start a run without --resume)`);
    resumed = await loadNoteCheckpoint(outDir);
    tf.dispose([resumed.weights, resumed.trainingWeights]); // the replicas load their own copies
    spec = resumed.spec;
    config = { ...resumed.config, ...definedOnly(options.resumeOverrides ?? {}) };
  } else {
    if (!options.spec || !options.config) throw new StudioError('INTERNAL', 'a new training run needs a spec and a config');
    if (existsSync(outDir) && !options.overwrite) {
      throw new StudioError('CONFLICT', `${outDir} already exists; pass --resume to continue its training or --force to start over`);
    }
    spec = options.spec;
    config = options.config;
  }

  const workers = options.workers ?? 1;
  replicaShares(spec, config.batchSize, workers);
  const [frames, melBins] = imageShape(spec);
  const images = sharedImages(data.images, frames * melBins * 2);
  if (resumed) {
    checkResumable(resumed.metadata, data, log);
    log(`resuming ${outDir} at step ${resumed.state.step} of ${config.steps}`);
  }
  const replicaOptions: NoteReplicaOptions = { spec, config, images, midiPitches: data.midiPitches, resumeFrom: resumed ? outDir : undefined };
  const parallel = await DataParallelTrainer.start({ module: REPLICA_MODULE, options: replicaOptions, parties: workers });
  const replica = parallel.replica as NoteReplica;
  const { gan } = replica;
  try {
    if (resumed && gan.step !== resumed.state.step) {
      throw new StudioError('BAD_FILE', `checkpoint is inconsistent: optimizer at step ${gan.step}, training state at step ${resumed.state.step}`);
    }
    let trainingSeconds = resumed?.state.trainingSeconds ?? 0;
    let lossesJsonl = resumed?.lossesJsonl ?? '';
    const createdAt = resumed?.metadata.createdAt ?? new Date().toISOString();
    const monitorPitches = config.previewPitches.filter((p) => p >= spec.midiPitchMin && p <= spec.midiPitchMax);
    const realForDiversity = realNotesByPitch(data, monitorPitches, config.diversitySamples);
    let diversity = NaN;
    let lastLosses: StepLosses | null = null;
    let sessionSteps = 0;
    let sessionStepMs = 0;
    let lastSaved = resumed ? gan.step : -1;

    const checkpoint = async (): Promise<void> => {
      const step = gan.step;
      options.onProgress?.({ done: step, total: config.steps, phase: 'checkpoint' });
      const measured = realForDiversity.size > 0 ? measureDiversity(gan.generator, spec, realForDiversity, config.diversitySamples, config.seed) : null;
      diversity = measured?.ratio ?? NaN;
      if (measured && diversity < COLLAPSE_WARNING_RATIO) {
        log(`warning: sample diversity ${diversity.toFixed(3)} at step ${step} (below ${COLLAPSE_WARNING_RATIO}): possible mode collapse`);
      }
      const previews: Record<string, Uint8Array> = {};
      for (const [name, bytes] of Object.entries(renderPreviews(gan.generator, spec, monitorPitches))) {
        previews[`${previewDirName(step)}/${name}`] = bytes;
      }
      const msPerStep = sessionSteps > 0 ? sessionStepMs / sessionSteps : null;
      lossesJsonl += JSON.stringify({ type: 'checkpoint', step, diversity: measured ? Number(diversity.toPrecision(4)) : null, diversityByPitch: measured?.byPitch, msPerStep }) + '\n';
      const run = replica.runState();
      const state: NoteTrainingState = { step, sampler: run.sampler, rng: run.rng, trainingSeconds };
      const metadata: ModelMetadata = {
        kind: 'notes',
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
            diversity: measured ? { ratio: diversity, byPitch: measured.byPitch, warnBelow: COLLAPSE_WARNING_RATIO } : null,
            msPerStep,
            workers,
            trainingSeconds: Math.round(trainingSeconds),
            epochs: Number(run.epochs.toFixed(3)),
          },
        },
        backend: backendInfo()?.name,
      };
      await saveNoteCheckpoint(outDir, { gan, state, metadata, lossesJsonl, previews, keepEarlierPreviews: lastSaved >= 0 });
      lastSaved = step;
      log(`checkpoint: step ${step}${measured ? `, diversity ${diversity.toFixed(3)}` : ''}`);
    };

    let stoppedBy: TrainNoteModelResult['stoppedBy'] = 'completed';
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
      const losses: StepLosses = { ...replica.lastFigures()!, discriminatorLoss: averaged.d!, generatorLoss: averaged.g! };
      if (!Object.values(losses).every(Number.isFinite)) {
        throw new StudioError('INTERNAL', `training diverged at step ${gan.step} (non-finite loss); the last good checkpoint is step ${Math.max(lastSaved, 0)} in ${outDir}`);
      }
      lastLosses = losses;
      sessionSteps++;
      sessionStepMs += elapsed;
      trainingSeconds += elapsed / 1000;
      const step = gan.step;
      lossesJsonl += JSON.stringify({ step, ms: Math.round(elapsed), ...rounded(losses) }) + '\n';
      options.onProgress?.({
        done: step,
        total: config.steps,
        phase: 'training',
        info: { D: losses.discriminatorLoss, G: losses.generatorLoss, W: losses.wasserstein, pitchAcc: losses.discriminatorPitchAccuracy },
      });
      if (step % config.checkpointEvery === 0 || step === config.steps) await checkpoint();
      // Let signals and the server's sockets through between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (lastSaved !== gan.step) await checkpoint();
    return {
      step: gan.step,
      totalSteps: config.steps,
      stoppedBy,
      msPerStep: sessionSteps > 0 ? sessionStepMs / sessionSteps : NaN,
      lastLosses,
      diversity,
    };
  } finally {
    await parallel.close();
  }
}

/** Refuses a resume that could not continue the same run (other data size), warns when the data changed. */
function checkResumable(metadata: ModelMetadata, data: NoteImageSet, log: (m: string) => void): void {
  const before = metadata.dataset as { count?: number; manifestSha256?: string } | null;
  if (before?.count !== undefined && before.count !== data.images.length) {
    throw new StudioError('CONFLICT', `the checkpoint was trained on ${before.count} notes but ${data.summary.dir} has ${data.images.length}; resume with the same data`);
  }
  if (before?.manifestSha256 && before.manifestSha256 !== data.summary.manifestSha256) {
    log('warning: the dataset manifest changed since the checkpoint; training continues, but not as an exact resume');
  }
}

/** The images as one array on a SharedArrayBuffer (what every thread reads); no copy when they already are. */
function sharedImages(images: Float32Array[], perImage: number): Float32Array {
  const first = images[0]!;
  const contiguous =
    first.buffer instanceof SharedArrayBuffer && images.every((image, i) => image.buffer === first.buffer && image.byteOffset === first.byteOffset + i * perImage * 4 && image.length === perImage);
  if (contiguous) return new Float32Array(first.buffer, first.byteOffset, images.length * perImage);
  const out = new Float32Array(new SharedArrayBuffer(images.length * perImage * 4));
  images.forEach((image, i) => out.set(image, i * perImage));
  return out;
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
