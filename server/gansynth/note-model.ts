/**
 * Inference on a trained note model: the module the CLI and the server call. Latents are made on the JS side from
 * seeds (same seed, same bytes), pitches are batched so a 61-key instrument is one or two forward passes, and the
 * IF-Mel images go back to audio through the spectral layer.
 */
import { tf } from '../ml/tf.js';
import { ParamStore } from '../ml/params.js';
import { loadModelFolder, type ModelMetadata } from '../checkpoints/folder.js';
import { resolveModelDir } from '../checkpoints/resolve.js';
import { decodeGeneratedNote } from './decode-note.js';
import { StudioError } from '../util/errors.js';
import { generateImages, runGenerator, pitchOneHot, GENERATOR_SCOPE } from './generator.js';
import { checkPitches, imageShape, parseNoteModelSpec, type NoteModelSpec } from './spec.js';
import { latentForSeed } from './latent.js';
import { shapeNote, type NoteShapeOptions } from './note-shape.js';

export interface GenerateNotesOptions extends NoteShapeOptions {
  /** MIDI pitches, one note each. */
  pitches: number[];
  /** Timbre seed: every note gets the latent of this seed (the default when no latents are given: 0). */
  seed?: number;
  /** Latents instead of a seed: one for all notes, or one per note. */
  latents?: Float32Array | Float32Array[];
}

export interface NoteModelOptions {
  /** Notes per forward pass (memory vs. passes); 32 makes a 61-key instrument two passes. */
  maxBatch?: number;
  modelsDir?: string;
}

export const noteModelDefaults = { maxBatch: 32 };

export class NoteModel {
  private constructor(
    readonly spec: NoteModelSpec,
    readonly metadata: ModelMetadata,
    readonly dir: string,
    private readonly params: ParamStore,
    private readonly maxBatch: number,
  ) {}

  /** Loads a model folder or a model id (a folder name under models/). */
  static async load(modelArg: string, options: NoteModelOptions = {}): Promise<NoteModel> {
    const dir = resolveModelDir(modelArg, { modelsDir: options.modelsDir });
    const folder = await loadModelFolder(dir);
    try {
      if (folder.metadata.kind !== 'notes') {
        throw new StudioError('BAD_INPUT', `${modelArg} is a "${folder.metadata.kind}" model, not a note model`);
      }
      const spec = parseNoteModelSpec(folder.spec, `${dir}/spec.json`);
      const params = new ParamStore({ label: 'note-model' });
      const model = new NoteModel(spec, folder.metadata, dir, params, options.maxBatch ?? noteModelDefaults.maxBatch);
      try {
        params.load(folder.weights);
        model.checkWeights();
      } catch (err) {
        model.dispose();
        throw err;
      }
      return model;
    } finally {
      tf.dispose(folder.weights);
    }
  }

  get sampleRate(): number {
    return this.spec.spectral.sampleRate;
  }

  /** IF-Mel images [frames][melBins][2] for each (latent, pitch) pair, in batches of maxBatch. */
  generateImages(latents: Float32Array[], midiPitches: number[]): Float32Array[] {
    checkPitches(this.spec, midiPitches);
    if (latents.length !== midiPitches.length) throw new StudioError('INTERNAL', `${latents.length} latents for ${midiPitches.length} pitches`);
    const size = this.spec.latentSize;
    for (const z of latents) {
      if (z.length !== size) throw new StudioError('BAD_INPUT', `latent has ${z.length} values; this model's latent size is ${size}`);
    }
    return generateImages(this.params, this.spec, latents, midiPitches, this.maxBatch);
  }

  /** Audio at `sampleRate` for each pitch: one Float32Array a note. */
  generate(options: GenerateNotesOptions): Float32Array[] {
    const latents = this.latentsFor(options);
    const images = this.generateImages(latents, options.pitches);
    return images.map((image) => shapeNote(decodeGeneratedNote(image, this.spec.spectral), this.sampleRate, options));
  }

  private latentsFor(options: GenerateNotesOptions): Float32Array[] {
    const n = options.pitches.length;
    if (options.latents === undefined) return new Array<Float32Array>(n).fill(latentForSeed(options.seed ?? 0, this.spec.latentSize));
    if (options.latents instanceof Float32Array) return new Array<Float32Array>(n).fill(options.latents);
    if (options.latents.length !== n) throw new StudioError('BAD_INPUT', `${options.latents.length} latents for ${n} pitches`);
    return options.latents;
  }

  /** A folder whose weights do not fit its spec fails here, at load, not at the first note. */
  private checkWeights(): void {
    const [frames, melBins] = imageShape(this.spec);
    tf.tidy(() => {
      const before = new Set(this.params.names());
      const image = runGenerator(this.params, this.spec, tf.zeros([1, this.spec.latentSize]) as tf.Tensor2D, pitchOneHot(this.spec, [this.spec.midiPitchMin]));
      const created = this.params.names().filter((n) => !before.has(n));
      if (created.length > 0) {
        throw new StudioError('BAD_FILE', `${this.dir}: weights lack ${created.join(', ')} (model.json does not match spec.json)`);
      }
      if (image.shape[1] !== frames || image.shape[2] !== melBins) throw new StudioError('BAD_FILE', `${this.dir}: generator output shape mismatch`);
    });
    const extra = this.params.names().filter((n) => !n.startsWith(`${GENERATOR_SCOPE}/`));
    if (extra.length > 0) throw new StudioError('BAD_FILE', `${this.dir}: unexpected weights ${extra.slice(0, 3).join(', ')}`);
  }

  dispose(): void {
    this.params.dispose();
  }
}
