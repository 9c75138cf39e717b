/**
 * The note-model training loop: WGAN-GP + AC-GAN steps over shuffled batches, a checkpoint every N steps and when
 * stopped (abort signal: the CLI wires SIGINT/SIGTERM to it), exact resume, losses.jsonl, previews, diversity.
 * Checkpoints are whole model folders swapped in atomically, so a SIGKILL leaves the last one loadable.
 */
import { StudioError } from '../util/errors.js';
import { confirmResume, openTrainingRun, type TrainRunOptions } from '../training/training-run.js';
import { runGanTraining, type TrainingLoopResult } from '../training/training-loop.js';
import { previewDirName } from '../training/checkpoint-files.js';
import type { StepLosses } from './note-gan.js';
import { imageShape, type NoteModelSpec } from './spec.js';
import type { NoteTrainConfig } from './train-config.js';
import type { NoteImageSet } from './note-dataset.js';
import { loadNoteCheckpoint, saveNoteCheckpoint } from './checkpoint.js';
import { measureDiversity, realNotesByPitch, renderPreviews } from './training-monitor.js';
import { COLLAPSE_WARNING_RATIO } from './diversity.js';
import { timbreLabelsOf } from './timbre-classes.js';
import { NOTE_REPLICA_MODULE, replicaShares, type NoteReplica, type NoteReplicaOptions } from './note-replica.js';

export interface TrainNoteModelOptions extends TrainRunOptions<NoteModelSpec, NoteTrainConfig> {
  data: NoteImageSet;
}

export interface TrainNoteModelResult extends TrainingLoopResult<StepLosses> {
  /** Sample diversity at the last checkpoint (NaN when no preview pitch is in the data). */
  diversity: number;
}

export async function trainNoteModel(options: TrainNoteModelOptions): Promise<TrainNoteModelResult> {
  const log = options.log ?? (() => {});
  const { data, outDir } = options;
  if (data.images.length < 2) throw new StudioError('BAD_INPUT', `${data.summary.dir}: needs at least 2 usable notes, found ${data.images.length}`);
  const { spec, config, resumed } = await openTrainingRun(options, loadNoteCheckpoint);
  const workers = options.workers ?? 1;
  replicaShares(spec, config.batchSize, workers);
  const [frames, melBins] = imageShape(spec);
  const images = sharedImages(data.images, frames * melBins * 2);
  if (resumed) {
    const identity = { dir: data.summary.dir, count: data.images.length, unit: 'notes', hashField: 'manifestSha256', hash: data.summary.manifestSha256 };
    confirmResume(outDir, resumed, config.steps, { ...identity, changedWarning: 'the dataset manifest changed' }, log);
  }
  const timbreLabels = spec.timbreClasses ? timbreLabelsOf(spec.timbreClasses, data) : undefined;
  const replicaOptions: NoteReplicaOptions = { spec, config, images, midiPitches: data.midiPitches, timbreLabels, resumeFrom: resumed ? outDir : undefined };
  const monitorPitches = config.previewPitches.filter((p) => p >= spec.midiPitchMin && p <= spec.midiPitchMax);
  const realForDiversity = realNotesByPitch(data, monitorPitches, config.diversitySamples);
  let diversity = NaN;

  const result = await runGanTraining({
    kind: 'notes',
    run: options,
    spec,
    config,
    resumed,
    dataset: data.summary,
    replicaModule: NOTE_REPLICA_MODULE,
    replicaOptions,
    hooks: (replica: NoteReplica) => ({
      // Figures of the main replica's share, with the loss totals averaged over all shares.
      stepFigures: (averaged): StepLosses => ({ ...replica.lastFigures()!, discriminatorLoss: averaged.d!, generatorLoss: averaged.g! }),
      mustBeFinite: (losses) => Object.values(losses),
      progressInfo: (losses) => ({
        D: losses.discriminatorLoss,
        G: losses.generatorLoss,
        W: losses.wasserstein,
        pitchAcc: losses.discriminatorPitchAccuracy,
        ...(config.modeSeekingWeight > 0 ? { msRatio: losses.modeSeekingRatio } : {}),
        ...(spec.timbreClasses ? { timbreAcc: losses.discriminatorTimbreAccuracy, fakeTimbreAcc: losses.generatorTimbreAccuracy } : {}),
      }),
      epochs: () => replica.runState().epochs,
      monitor: (step) => {
        const { generator } = replica.gan;
        const measured = realForDiversity.size > 0 ? measureDiversity(generator, spec, realForDiversity, config.diversitySamples, config.seed) : null;
        diversity = measured?.ratio ?? NaN;
        if (measured && diversity < COLLAPSE_WARNING_RATIO) {
          log(`warning: sample diversity ${diversity.toFixed(3)} at step ${step} (below ${COLLAPSE_WARNING_RATIO}): possible mode collapse`);
        }
        const previews: Record<string, Uint8Array> = {};
        for (const [name, bytes] of Object.entries(renderPreviews(generator, spec, monitorPitches))) previews[`${previewDirName(step)}/${name}`] = bytes;
        return {
          logFields: { diversity: measured ? Number(diversity.toPrecision(4)) : null, diversityByPitch: measured?.byPitch },
          metrics: { diversity: measured ? { ratio: diversity, byPitch: measured.byPitch, warnBelow: COLLAPSE_WARNING_RATIO } : null },
          previews,
          logSuffix: measured ? `, diversity ${diversity.toFixed(3)}` : '',
        };
      },
      save: async ({ step, trainingSeconds, metadata, lossesJsonl, previews, keepEarlierPreviews }) => {
        const { sampler, rng } = replica.runState();
        await saveNoteCheckpoint(outDir, { gan: replica.gan, state: { step, sampler, rng, trainingSeconds }, metadata, lossesJsonl, previews, keepEarlierPreviews });
      },
    }),
  });
  return { ...result, diversity };
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
