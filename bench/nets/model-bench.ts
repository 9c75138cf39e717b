/**
 * What the model speed benches (`bench notes`, `bench loops`) share: their options, the machine's load around a run,
 * and timing data-parallel training iterations on wasm with a model's replica module.
 */
import { Command } from 'commander';
import { availableParallelism, loadavg } from 'node:os';
import type { BackendName } from '../../server/ml/backend.js';
import { DataParallelTrainer } from '../../server/ml/parallel/data-parallel.js';
import { measure, type Timing } from './measure.js';

export interface ModelBenchOptions {
  presets: string[];
  backends: BackendName[];
  workers: number[];
  iters: number;
  trainIters: number;
  train: boolean;
  cap: number;
}

export interface ModelBenchDefaults {
  trainIters: number;
  /** What one timed training unit is called in the help, e.g. "steps". */
  trainingUnit: string;
}

export function parseModelBenchOptions(name: string, args: string[], defaults: ModelBenchDefaults): ModelBenchOptions {
  const program = new Command(name)
    .option('--presets <list>', 'model presets', 'tiny,lite')
    .option('--backends <list>', 'backends for generation', 'wasm,cpu')
    .option('--workers <list>', `data-parallel worker counts for training ${defaults.trainingUnit} (wasm)`, '1,2')
    .option('--iters <n>', 'timed generations', '10')
    .option('--train-iters <n>', `timed training ${defaults.trainingUnit}`, String(defaults.trainIters))
    .option('--no-train', 'skip training timing')
    .option('--cap <seconds>', 'stop starting new steps of one measurement after this long', '90')
    .exitOverride();
  program.parse(args, { from: 'user' });
  const o = program.opts<{ presets: string; backends: string; workers: string; iters: string; trainIters: string; train: boolean; cap: string }>();
  return {
    presets: o.presets.split(',').map((s) => s.trim()),
    backends: o.backends.split(',').map((s) => s.trim()) as BackendName[],
    workers: o.workers.split(',').map(Number),
    iters: Number(o.iters),
    trainIters: Number(o.trainIters),
    train: o.train,
    cap: Number(o.cap),
  };
}

/** The 1, 5 and 15 minute load averages, rounded (a busy machine makes every figure slower). */
export function loadAverage(): number[] {
  return loadavg().map((v) => Number(v.toFixed(2)));
}

/** The machine a run starts on; add `loadavgAtEnd` when it ends. */
export function machineAtStart(): Record<string, unknown> {
  return { cores: availableParallelism(), loadavgAtStart: loadAverage() };
}

export interface TrainingTiming {
  /** Module exporting the model's `createReplica`, and what it is given. */
  replicaModule: string;
  replicaOptions: unknown;
  workers: number;
  iters: number;
  warmup: number;
  capSeconds: number;
}

/** Time per data-parallel training iteration (all phases, gradients averaged over `workers` replicas) on wasm. */
export async function timeTrainingIterations(t: TrainingTiming): Promise<Timing> {
  const trainer = await DataParallelTrainer.start({ module: t.replicaModule, options: t.replicaOptions, parties: t.workers, backend: 'wasm' });
  try {
    return await measure(() => trainer.iterate(), { iters: t.iters, warmup: t.warmup, capSeconds: t.capSeconds });
  } finally {
    await trainer.close();
  }
}
