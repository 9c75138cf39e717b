/**
 * `npm run bench -- notes [options]`: note-model speed. Per preset and backend: one note (batch 1) and a whole
 * 61-pitch instrument, through NoteModel.generate (forward passes + IF-Mel -> audio), and the forward passes alone;
 * per preset on wasm: ms per training step (one D + one G update, WGAN-GP) with 1 and 2 data-parallel workers.
 * Weights are freshly initialised (speed does not depend on training). Prints JSON; progress on stderr.
 * Options: --presets tiny,lite  --backends wasm,cpu  --workers 1,2  --iters N  --train-iters N  --no-train  --cap SECONDS
 */
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { tf } from '../server/ml/tf.js';
import { initBackend } from '../server/ml/backend.js';
import { saveModelFolder } from '../server/checkpoints/folder.js';
import { noteModelSpec, imageShape, type NoteModelSpec } from '../server/gansynth/spec.js';
import { NoteGan } from '../server/gansynth/note-gan.js';
import { NoteModel } from '../server/gansynth/note-model.js';
import { latentForSeed } from '../server/gansynth/latent.js';
import { trainDefaultsFor } from '../server/gansynth/train-config.js';
import { NOTE_REPLICA_MODULE, type NoteReplicaOptions } from '../server/gansynth/note-replica.js';
import { Rng } from '../server/ml/random.js';
import { measure, type Timing } from './nets/measure.js';
import { loadAverage, machineAtStart, parseModelBenchOptions, timeTrainingIterations, type ModelBenchOptions } from './nets/model-bench.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
const ALL_PITCHES = Array.from({ length: 61 }, (_, i) => 24 + i);
/** Issue 4's targets on wasm for `lite`. */
const TARGETS = { noteB1Ms: 50, instrument61Ms: 2000 };

/** A model folder with freshly initialised weights. */
async function randomModelFolder(spec: NoteModelSpec, dir: string): Promise<void> {
  const gan = new NoteGan(spec, trainDefaultsFor(spec.preset));
  const weights = gan.inferenceWeights();
  const now = new Date().toISOString();
  await saveModelFolder(dir, {
    spec,
    metadata: { kind: 'notes', formatVersion: 1, preset: spec.preset, step: 0, createdAt: now, updatedAt: now, config: {}, dataset: null, metrics: {} },
    weights,
  });
  tf.dispose(weights);
  gan.dispose();
}

async function generation(dir: string, o: ModelBenchOptions): Promise<Record<string, Timing>> {
  const model = await NoteModel.load(dir);
  const latent = latentForSeed(1, model.spec.latentSize);
  const cap = { iters: o.iters, warmup: 2, capSeconds: o.cap };
  try {
    return {
      noteB1Ms: await measure(() => model.generate({ pitches: [60], seed: 1 }), cap),
      noteB1ForwardMs: await measure(() => model.generateImages([latent], [60]), cap),
      instrument61Ms: await measure(() => model.generate({ pitches: ALL_PITCHES, seed: 1 }), { ...cap, iters: Math.max(1, Math.ceil(o.iters / 2)) }),
      instrument61ForwardMs: await measure(() => model.generateImages(ALL_PITCHES.map(() => latent), ALL_PITCHES), { ...cap, iters: Math.max(1, Math.ceil(o.iters / 2)) }),
    };
  } finally {
    model.dispose();
  }
}

async function trainingStep(spec: NoteModelSpec, workers: number, o: ModelBenchOptions): Promise<Timing> {
  const config = trainDefaultsFor(spec.preset);
  const [frames, melBins] = imageShape(spec);
  const count = 64;
  const rng = new Rng(5);
  const images = new Float32Array(new SharedArrayBuffer(count * frames * melBins * 2 * 4));
  for (let i = 0; i < images.length; i++) images[i] = rng.uniform() * 2 - 1;
  const options: NoteReplicaOptions = { spec, config, images, midiPitches: Array.from({ length: count }, (_, i) => 24 + (i % 61)) };
  return timeTrainingIterations({ replicaModule: NOTE_REPLICA_MODULE, replicaOptions: options, workers, iters: o.trainIters, warmup: 2, capSeconds: o.cap });
}

export async function main(args: string[]): Promise<unknown> {
  const o = parseModelBenchOptions('notes', args, { trainIters: 5, trainingUnit: 'steps' });
  const root = mkdtempSync(path.join(tmpdir(), 'studio-bench-notes-'));
  const out: Record<string, unknown> = {
    machine: machineAtStart(),
    targets: { lite: { wasm: TARGETS } },
  };
  try {
    for (const preset of o.presets) {
      const spec = noteModelSpec(preset);
      const dir = path.join(root, preset);
      await initBackend({ backend: o.backends[0] ?? 'wasm' });
      await randomModelFolder(spec, dir);
      const figures: Record<string, unknown> = {};
      for (const backend of o.backends) {
        await initBackend({ backend });
        log(`${preset} on ${backend}: generation`);
        figures[backend] = await generation(dir, o);
      }
      if (o.train) {
        await initBackend({ backend: 'wasm' });
        const training: Record<string, Timing> = {};
        for (const workers of o.workers) {
          log(`${preset} on wasm: training steps, ${workers} worker(s)`);
          training[`workers${workers}`] = await trainingStep(spec, workers, o);
        }
        figures.trainStepWasm = { batch: trainDefaultsFor(preset).batchSize, ...training };
      }
      out[preset] = figures;
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  (out.machine as Record<string, unknown>).loadavgAtEnd = loadAverage();
  return out;
}
