/**
 * `npm run bench -- backend [options]`: training and generation speed of the two reference GANs on the tfjs
 * backends, against PyTorch (OpenBLAS) on the same CPU in the same run. Prints
 * {"note": {"wasm": {trainIterationMs, generateB1Ms, generateB16Ms}, "cpu"?, "pytorch": {…} | null, "ratio": {…}}, "loop": {…}, …}.
 * Options: --nets note,loop  --cpu (also time the very slow cpu backend)  --no-pytorch  --warmup N  --iters N
 *          --cap SECONDS  --conv3d taps|native  --resample reshape|kernel  --workers N (data-parallel threads, default 2)
 *          --profile (per-kernel profile of one iteration, with --workers 1)
 */
import { Command, Option } from 'commander';
import { availableParallelism, loadavg } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../server/ml/tf.js';
import { initBackend, type BackendName } from '../server/ml/backend.js';
import { type NetVariant } from './nets/index.js';
import { DataParallelTrainer } from '../server/ml/parallel/data-parallel.js';
import { runIteration } from '../server/ml/parallel/replica.js';
import type { ReferenceReplicaOptions } from './nets/replica.js';
import { measure, type Timing } from './nets/measure.js';
import { profileKernels, type Profile } from './nets/profile.js';
import { runTorchReference, torchEnvironment, type TorchRun } from './nets/pytorch.js';

type NetName = 'note' | 'loop';
interface Figures {
  trainIterationMs: number | null;
  generateB1Ms: number | null;
  generateB16Ms: number | null;
}

interface BackendOptions {
  nets: NetName[];
  cpu: boolean;
  pytorch: boolean;
  warmup: number;
  iters: number;
  cap: number;
  conv3d: NetVariant['conv3d'];
  resample: NetVariant['resample'];
  profile: boolean;
  workers: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function parse(args: string[]): BackendOptions {
  const program = new Command('backend')
    .option('--nets <list>', 'networks to time', 'note,loop')
    .option('--cpu', 'also time the cpu backend (minutes per iteration)', false)
    .option('--no-pytorch', 'skip the PyTorch reference')
    .option('--warmup <n>', 'untimed steps first', '3')
    .option('--iters <n>', 'timed steps', '10')
    .option('--cap <seconds>', 'stop starting steps of one measurement after this long', '120')
    .addOption(new Option('--conv3d <impl>', '3-D convolutions').choices(['taps', 'native']).default('native'))
    .addOption(new Option('--resample <method>', 'upsampling / pooling').choices(['reshape', 'kernel']).default('kernel'))
    .option('--profile', 'per-kernel profile of one training iteration and one b16 generation (single thread)', false)
    .option('--workers <n>', 'data-parallel replicas (threads), each with its own backend', '2')
    .exitOverride();
  program.parse(args, { from: 'user' });
  const o = program.opts<{ nets: string; cpu: boolean; pytorch: boolean; warmup: string; iters: string; cap: string; conv3d: NetVariant['conv3d']; resample: NetVariant['resample']; profile: boolean; workers: string }>();
  const nets = o.nets.split(',').map((n) => n.trim());
  for (const n of nets) if (n !== 'note' && n !== 'loop') throw new Error(`--nets: unknown network "${n}" (note, loop)`);
  return { ...o, nets: nets as NetName[], warmup: Number(o.warmup), iters: Number(o.iters), cap: Number(o.cap), workers: Number(o.workers) };
}

async function timeBackend(backend: BackendName, net: NetName, o: BackendOptions): Promise<{ figures: Figures; timings: Record<string, Timing>; profile?: Record<string, Profile> }> {
  await initBackend({ backend });
  const replicaOptions: ReferenceReplicaOptions = { net, batch: 16, variant: { conv3d: o.conv3d, resample: o.resample } };
  const module = new URL(`./nets/replica${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;
  const trainer = await DataParallelTrainer.start({ module, options: replicaOptions, parties: o.workers, backend });
  const timings: Record<string, Timing> = {};
  const steps = { warmup: o.warmup, iters: o.iters, capSeconds: o.cap };
  let tensorsAfterFirst = 0;
  timings.train = await measure(() => trainer.iterate(), {
    ...steps,
    onStep: (i, ms) => {
      if (i === 0) tensorsAfterFirst = tf.memory().numTensors;
      log(`${backend} ${net} train step ${i + 1}: ${ms.toFixed(0)} ms`);
    },
  });
  if (tf.memory().numTensors !== tensorsAfterFirst) log(`warning: ${tf.memory().numTensors - tensorsAfterFirst} tensors leaked by training steps`);
  timings.infer16 = await measure(() => trainer.generate(16), steps);
  timings.infer1 = await measure(() => trainer.generate(1), steps);
  log(`${backend} ${net} x${o.workers}: train ${timings.train.medianMs} ms, b16 ${timings.infer16.medianMs} ms, b1 ${timings.infer1.medianMs} ms`);
  let profile: Record<string, Profile> | undefined;
  if (o.profile && o.workers === 1) {
    profile = { train: await profileKernels(() => runIteration(trainer.replica, null)), infer16: await profileKernels(() => trainer.replica.generate(16)) };
    for (const [what, p] of Object.entries(profile)) {
      log(`${backend} ${net} ${what} profile (${p.totalMs} ms wall, ${p.kernelMs} ms in kernels):`);
      for (const k of p.kernels) log(`  ${k.kernel.padEnd(28)} ${String(k.ms).padStart(7)} ms ${(k.share * 100).toFixed(1).padStart(5)}%  ${k.calls} calls`);
    }
  } else if (o.profile) {
    log('--profile needs --workers 1 (kernel timings of one thread); skipped');
  }
  await trainer.close();
  return {
    figures: { trainIterationMs: timings.train.medianMs, generateB1Ms: timings.infer1.medianMs, generateB16Ms: timings.infer16.medianMs },
    timings,
    ...(profile ? { profile } : {}),
  };
}

function ratio(a: Figures, b: Figures | null): Figures | null {
  if (!b) return null;
  const r = (x: number | null, y: number | null) => (x !== null && y ? Math.round((x / y) * 100) / 100 : null);
  return { trainIterationMs: r(a.trainIterationMs, b.trainIterationMs), generateB1Ms: r(a.generateB1Ms, b.generateB1Ms), generateB16Ms: r(a.generateB16Ms, b.generateB16Ms) };
}

export async function main(args: string[]): Promise<unknown> {
  const o = parse(args);
  const torch = o.pytorch ? torchEnvironment(log) : null;
  const result: Record<string, unknown> = {};
  const details: Record<string, unknown> = {};
  for (const net of o.nets) {
    const entry: Record<string, unknown> = {};
    const wasm = await timeBackend('wasm', net, o);
    entry.wasm = wasm.figures;
    const netDetails: Record<string, unknown> = { wasm: { timings: wasm.timings, ...(wasm.profile ? { profile: wasm.profile } : {}) } };
    if (o.cpu) {
      const cpu = await timeBackend('cpu', net, o);
      entry.cpu = cpu.figures;
      netDetails.cpu = { timings: cpu.timings };
    }
    let pytorch: Figures | null = null;
    if (torch) {
      try {
        const run: TorchRun = await runTorchReference(torch, { net, threads: 2, warmup: o.warmup, iters: o.iters, capSeconds: o.cap }, log);
        pytorch = { trainIterationMs: run.results.train?.median_ms ?? null, generateB1Ms: run.results.infer1?.median_ms ?? null, generateB16Ms: run.results.infer16?.median_ms ?? null };
        netDetails.pytorch = run;
      } catch (err) {
        log(`pytorch ${net}: ${(err as Error).message}`);
      }
    }
    entry.pytorch = pytorch;
    entry.ratio = ratio(wasm.figures, pytorch);
    result[net] = entry;
    details[net] = netDetails;
  }
  result.environment = {
    node: process.version,
    tfjs: tf.version.tfjs,
    batch: 16,
    variant: { conv3d: o.conv3d, resample: o.resample },
    threadsPerBackend: o.workers,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    cores: availableParallelism(),
    pytorchBlas: torch?.blas ?? null,
  };
  result.details = details;
  return result;
}
