/**
 * `npm run bench -- loops [options]`: loop-model speed. Per preset and backend: one 4-bar 5-track loop (batch 1)
 * and a batch of 16 through LoopModel (forward pass + threshold + roll), and the forward pass alone; per preset on
 * wasm: ms per training iteration (critic steps + one generator step, WGAN-GP, the preset's batch) with 1 and 2
 * data-parallel workers. Weights are freshly initialised (speed does not depend on training). Prints JSON.
 * Options: --presets tiny,lite  --backends wasm,cpu  --workers 1,2  --iters N  --train-iters N  --no-train  --cap SECONDS
 */
import { tf } from '../server/ml/tf.js';
import { initBackend } from '../server/ml/backend.js';
import { Rng } from '../server/ml/random.js';
import { LoopGan } from '../server/musegan/loop-gan.js';
import { LoopModel } from '../server/musegan/loop-model.js';
import { generatorLogits } from '../server/musegan/generator.js';
import { disposeLatentTensors, latentForSeed, latentTensors } from '../server/musegan/latents.js';
import { packPhrases } from '../server/musegan/phrase-data.js';
import { LOOP_REPLICA_MODULE, type LoopReplicaOptions } from '../server/musegan/loop-replica.js';
import { loopShape, loopSpecFromPreset, type LoopSpec } from '../server/musegan/spec.js';
import { loopTrainDefaults } from '../server/musegan/train-config.js';
import { loopDataTargets } from '../server/musegan/trainer.js';
import { measure, type Timing } from './nets/measure.js';
import { loadAverage, machineAtStart, parseModelBenchOptions, timeTrainingIterations, type ModelBenchOptions } from './nets/model-bench.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
/** Issue 6's target on wasm. */
const TARGETS = { loopB1Ms: 20 };

async function generation(spec: LoopSpec, o: ModelBenchOptions): Promise<Record<string, Timing>> {
  const gan = new LoopGan(spec, loopTrainDefaults(spec.preset));
  const weights = gan.inferenceWeights();
  const now = new Date().toISOString();
  const model = LoopModel.fromWeights(spec, weights, { kind: 'loops', formatVersion: 1, preset: spec.preset, step: 0, createdAt: now, updatedAt: now, config: null, dataset: null, metrics: {} });
  tf.dispose(weights);
  const cap = { iters: o.iters, warmup: 2, capSeconds: o.cap };
  const seeds16 = Array.from({ length: 16 }, (_, seed) => ({ seed }));
  /** The generator's forward pass alone (latents in, probabilities read back). */
  const forward = (batch: number) => () => {
    const z = latentTensors(spec, Array.from({ length: batch }, (_, seed) => latentForSeed(spec, seed)));
    const tracks = spec.tracks.length;
    const out = tf.tidy(() => {
      const given = { roll: tf.zeros([batch * spec.bars, spec.stepsPerBar, spec.pitchCount, tracks]) as tf.Tensor4D, mask: tf.zeros([batch, tracks]) as tf.Tensor2D };
      return tf.sigmoid(generatorLogits(gan.generator, spec, z, given));
    });
    out.dataSync();
    out.dispose();
    disposeLatentTensors(z);
  };
  try {
    return {
      loopB1Ms: await measure(() => model.generate({ seed: 1 }), cap),
      loopB1ForwardMs: await measure(forward(1), cap),
      loopB16Ms: await measure(() => model.generateMany(seeds16), { ...cap, iters: Math.max(1, Math.ceil(o.iters / 2)) }),
      loopB16ForwardMs: await measure(forward(16), { ...cap, iters: Math.max(1, Math.ceil(o.iters / 2)) }),
      loop16BarsKeyMs: await measure(() => model.generate({ seed: 1, bars: 16, key: 'A', scale: 'minor' }), { ...cap, iters: Math.max(1, Math.ceil(o.iters / 2)) }),
    };
  } finally {
    model.dispose();
    gan.dispose();
  }
}

async function trainingIteration(spec: LoopSpec, workers: number, o: ModelBenchOptions): Promise<Timing> {
  const config = loopTrainDefaults(spec.preset);
  const rng = new Rng(5);
  const size = loopShape(spec).phraseSize;
  // Sparse random phrases at about the corpus's density (2% of cells on).
  const phrases = Array.from({ length: 64 }, () => Uint8Array.from({ length: size }, () => (rng.uniform() < 0.02 ? 1 : 0)));
  const data = packPhrases(phrases);
  const options: LoopReplicaOptions = { spec, config, data, targets: loopDataTargets(data, spec, config) };
  return timeTrainingIterations({ replicaModule: LOOP_REPLICA_MODULE, replicaOptions: options, workers, iters: o.trainIters, warmup: 1, capSeconds: o.cap });
}

export async function main(args: string[]): Promise<unknown> {
  const o = parseModelBenchOptions('loops', args, { trainIters: 4, trainingUnit: 'iterations' });
  const out: Record<string, unknown> = {
    machine: machineAtStart(),
    targets: { lite: { wasm: TARGETS } },
  };
  for (const preset of o.presets) {
    const spec = loopSpecFromPreset(preset);
    const figures: Record<string, unknown> = { design: spec.design };
    for (const backend of o.backends) {
      await initBackend({ backend });
      log(`${preset} on ${backend}: generation`);
      figures[backend] = await generation(spec, o);
    }
    if (o.train) {
      await initBackend({ backend: 'wasm' });
      const config = loopTrainDefaults(preset);
      const training: Record<string, Timing> = {};
      for (const workers of o.workers) {
        log(`${preset} on wasm: training iterations, ${workers} worker(s)`);
        training[`workers${workers}`] = await trainingIteration(spec, workers, o);
      }
      figures.trainIterationWasm = { batch: config.batchSize, criticSteps: config.criticSteps, ...training };
    }
    out[preset] = figures;
  }
  (out.machine as Record<string, unknown>).loadavgAtEnd = loadAverage();
  return out;
}
