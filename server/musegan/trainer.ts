/**
 * The loop-model training loop: WGAN-GP iterations (data-parallel over worker threads when asked), a checkpoint
 * every N steps and when stopped (abort signal: the CLI wires SIGINT/SIGTERM to it), exact resume, losses.jsonl,
 * preview MIDI loops and sample metrics per checkpoint. Checkpoints are whole model folders swapped in
 * atomically, so a SIGKILL at any moment leaves the last one loadable and resumable.
 */
import { evaluateLoops } from '../music/metrics.js';
import { rollToMidi } from '../music/midi-out.js';
import { confirmResume, openTrainingRun, type TrainRunOptions } from '../training/training-run.js';
import { runGanTraining, type TrainingLoopResult } from '../training/training-loop.js';
import { previewDirName } from '../training/checkpoint-files.js';
import { loadLoopCheckpoint, saveLoopCheckpoint } from './checkpoint.js';
import { generateLoops } from './generate.js';
import { calibrateModelFolder, describeCalibration } from './calibrate-model.js';
import type { LoopDataTargets } from './loop-gan.js';
import { LOOP_REPLICA_MODULE, loopReplicaShares, type LoopReplica, type LoopReplicaOptions, type LoopStepFigures } from './loop-replica.js';
import type { LoopDataSummary, PackedPhrases } from './phrase-data.js';
import { soundingBarShares } from './bar-activity.js';
import { usedPitchClassesPerBar } from './bar-pitch-classes.js';
import { dataTonalDistances, tonalPairNames } from './tonal-matching.js';
import type { LoopSpec } from './spec.js';
import type { LoopTrainConfig } from './train-config.js';

/** Loops generated at each checkpoint for the sample metrics in metadata.json (fixed seeds). */
export const MONITOR_LOOPS = 16;

/** `workers`: the batch must split evenly over them. */
export interface TrainLoopModelOptions extends TrainRunOptions<LoopSpec, LoopTrainConfig> {
  data: { packed: PackedPhrases; summary: LoopDataSummary };
}

export type TrainLoopModelResult = TrainingLoopResult<LoopStepFigures>;

export async function trainLoopModel(options: TrainLoopModelOptions): Promise<TrainLoopModelResult> {
  const log = options.log ?? (() => {});
  const { data, outDir } = options;
  const { spec, config, resumed } = await openTrainingRun(options, loadLoopCheckpoint);
  if (resumed) {
    const identity = { dir: data.summary.dir, count: data.summary.count, unit: 'phrases', hashField: 'sha256', hash: data.summary.sha256 };
    confirmResume(outDir, resumed, config.steps, { ...identity, changedWarning: 'the dataset changed' }, log);
  }
  loopReplicaShares(config.batchSize, options.workers ?? 1);
  const targets = loopDataTargets(data.packed, spec, config);
  const { soundingBars, usedPitchClasses, tonalDistances } = targets;
  const replicaOptions: LoopReplicaOptions = { spec, config, data: data.packed, resumeFrom: resumed ? outDir : undefined, targets };
  const perTrack = (values: readonly (number | null)[]) => Object.fromEntries(spec.tracks.map((t, i) => [t, values[i]]));

  const result = await runGanTraining({
    kind: 'loops',
    run: options,
    spec,
    config,
    resumed,
    // The metadata records the data's statistics the auxiliary losses aim at.
    dataset: {
      ...data.summary,
      ...(soundingBars ? { soundingBarShare: perTrack(soundingBars) } : {}),
      ...(usedPitchClasses ? { usedPitchClassesPerBar: perTrack(usedPitchClasses) } : {}),
      ...(tonalDistances ? { tonalDistance: Object.fromEntries(tonalPairNames(spec).map((pair, i) => [pair, tonalDistances[i]])) } : {}),
    },
    replicaModule: LOOP_REPLICA_MODULE,
    replicaOptions,
    hooks: (replica: LoopReplica) => ({
      // Figures of the main replica's share, with the loss totals averaged over all shares.
      stepFigures: (averaged): LoopStepFigures => ({
        ...replica.lastFigures()!,
        criticLoss: mean(Object.entries(averaged).filter(([k]) => k !== 'g').map(([, v]) => v)),
        generatorLoss: averaged.g!,
      }),
      mustBeFinite: (figures) => [figures.criticLoss, figures.generatorLoss, figures.wasserstein, figures.gradientPenalty],
      progressInfo: (figures) => {
        const pitchClasses = meanOf(figures.usedPitchClasses);
        const info = { D: figures.criticLoss, G: figures.generatorLoss, W: figures.wasserstein, density: figures.fakeDensity, open: figures.openGates };
        // Progress info travels as JSON: a NaN (no sounding bar painted in this share) is left out.
        return Number.isFinite(pitchClasses) ? { ...info, pitchClasses } : info;
      },
      epochs: (step) => (step * (config.criticSteps + 1) * config.batchSize) / data.summary.count,
      monitor: (step) => {
        // Fixed seeds, so previews and figures are comparable from one checkpoint to the next.
        const samples = generateLoops(replica.gan.generator, spec, Array.from({ length: Math.max(MONITOR_LOOPS, config.previewCount) }, (_, seed) => ({ seed })));
        const previews: Record<string, Uint8Array> = {};
        samples.slice(0, config.previewCount).forEach((roll, seed) => {
          previews[`${previewDirName(step)}/loop-seed-${seed}.mid`] = rollToMidi(roll, { name: `preview step ${step} seed ${seed}` });
        });
        return { logFields: {}, metrics: { samples: evaluateLoops(samples.slice(0, MONITOR_LOOPS)) }, previews };
      },
      save: ({ step, trainingSeconds, metadata, lossesJsonl, previews }) =>
        saveLoopCheckpoint(outDir, { gan: replica.gan, state: { step, trainingSeconds }, metadata, lossesJsonl, previews }),
    }),
  });
  // A finished run's gates are calibrated to the data (a checkpoint of further training drops the calibration).
  if (result.stoppedBy === 'completed' && spec.generator.activityGate) {
    log(`gate calibration: ${describeCalibration(await calibrateModelFolder(outDir))}`);
  }
  return result;
}

/** The training data's statistics that the auxiliary losses the spec and config turn on aim at. */
export function loopDataTargets(packed: PackedPhrases, spec: LoopSpec, config: LoopTrainConfig): LoopDataTargets {
  return {
    soundingBars: spec.generator.activityGate ? soundingBarShares(packed, spec) : undefined,
    usedPitchClasses: config.pitchClassWeight > 0 ? usedPitchClassesPerBar(packed, spec) : undefined,
    tonalDistances: config.tonalWeight > 0 ? dataTonalDistances(packed, spec) : undefined,
  };
}

/** Mean of the known values (NaN when none). */
function meanOf(values: readonly (number | null)[]): number {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? mean(known) : NaN;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
