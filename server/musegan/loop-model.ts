/**
 * A trained loop model ready to generate: what the server and `studio generate loop` call.
 *
 *   const model = await LoopModel.load('models/loops-default');
 *   const roll = model.generate({ bars: 8, seed: 7, key: 'A', scale: 'minor' });
 *   model.dispose();
 */
import * as path from 'node:path';
import { tf } from '../ml/tf.js';
import { ParamStore } from '../ml/params.js';
import { loadModelFolder, type ModelMetadata } from '../checkpoints/folder.js';
import type { MultitrackRoll } from '../music/roll.js';
import { StudioError } from '../util/errors.js';
import { Rng } from '../ml/random.js';
import { generateLoops, type LoopGenerateOptions } from './generate.js';
import { generatorLogits, noGivenTracks } from './generator.js';
import { latentTensors, sampleLatent } from './latents.js';
import { assertSameNames } from './loop-gan.js';
import { parseLoopSpec, type LoopSpec } from './spec.js';
import { calibrateGates, gateOffsetsOf, type GateCalibration, type gateCalibrationDefaults } from './gate-calibration.js';

export class LoopModel {
  private disposed = false;
  /** The gate calibration's offsets (metadata gateCalibration), one per track; undefined when uncalibrated. */
  readonly gateOffsets: number[] | undefined;

  private constructor(
    readonly spec: LoopSpec,
    readonly metadata: ModelMetadata,
    private readonly store: ParamStore,
    readonly dir: string,
  ) {
    this.gateOffsets = gateOffsetsOf(spec, metadata, dir ? path.join(dir, 'metadata.json') : 'metadata');
  }

  /** Loads a model folder (spec.json validated, weights checked against the spec). */
  static async load(dir: string): Promise<LoopModel> {
    const folder = await loadModelFolder(dir);
    const store = new ParamStore({ label: 'loop-model' });
    try {
      if (folder.metadata.kind !== 'loops') throw new StudioError('BAD_INPUT', `${dir} holds a "${folder.metadata.kind}" model, not a loop model`);
      const spec = parseLoopSpec(folder.spec, path.join(dir, 'spec.json'));
      buildGenerator(store, spec);
      assertSameNames(store, folder.weights, `${path.join(dir, 'model.json')}:`);
      store.load(folder.weights);
      return new LoopModel(spec, folder.metadata, store, folder.dir);
    } catch (err) {
      store.dispose();
      throw err;
    } finally {
      tf.dispose(folder.weights);
    }
  }

  /** Builds a model straight from generator weights (tests, training previews); `weights` stay the caller's. */
  static fromWeights(spec: LoopSpec, weights: tf.NamedTensorMap, metadata: ModelMetadata): LoopModel {
    const store = new ParamStore({ label: 'loop-model' });
    try {
      buildGenerator(store, spec);
      assertSameNames(store, weights, 'generator');
      store.load(weights);
    } catch (err) {
      store.dispose();
      throw err;
    }
    return new LoopModel(spec, metadata, store, '');
  }

  /** One loop; options default to LOOP_GENERATE_DEFAULTS (4 bars, seed 0, threshold 0.5, 120 bpm). */
  generate(options: Partial<LoopGenerateOptions> = {}): MultitrackRoll {
    return this.generateMany([options])[0]!;
  }

  /** Several loops in one forward pass (the server batches requests this way). */
  generateMany(requests: readonly Partial<LoopGenerateOptions>[]): MultitrackRoll[] {
    if (this.disposed) throw new StudioError('UNAVAILABLE', 'this loop model has been disposed');
    return generateLoops(this.store, this.spec, requests, this.gateOffsets);
  }

  /**
   * Measures the gate offsets that make free generation sound as many bars per track as the training data
   * (metadata dataset.soundingBarShare); the caller records them (metadata gateCalibration) for the next load.
   */
  calibrateGates(options: Partial<typeof gateCalibrationDefaults> = {}): GateCalibration {
    if (this.disposed) throw new StudioError('UNAVAILABLE', 'this loop model has been disposed');
    const shares = (this.metadata.dataset as { soundingBarShare?: Record<string, number> } | null)?.soundingBarShare;
    if (!shares) throw new StudioError('BAD_INPUT', `${this.dir || 'this model'}: its metadata has no dataset.soundingBarShare (trained before gate calibration existed); retrain or resume it once to record it`);
    return calibrateGates(this.store, this.spec, shares, { ...options, step: this.metadata.step });
  }

  dispose(): void {
    this.disposed = true;
    this.store.dispose();
  }
}

/** Creates the generator's parameters (shapes from the spec) with one small forward pass. */
function buildGenerator(store: ParamStore, spec: LoopSpec): void {
  const latents = latentTensors(spec, [sampleLatent(spec, new Rng(0))]);
  tf.tidy(() => {
    generatorLogits(store, spec, latents, noGivenTracks(spec, 1));
  });
  for (const t of [latents.shared, latents.sharedTemporal, ...(latents.private ?? []), ...(latents.privateTemporal ?? [])]) t?.dispose();
}
