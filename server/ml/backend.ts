import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { tf, silenceCpuBanner } from './tf.js';
import { StudioError, describeThrown } from '../util/errors.js';
import { registerTrainingKernels } from './kernels/index.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** One line per candidate the chooser looked at, so `studio doctor` can say why it picked what it did. */
export interface BackendProbe {
  candidate: string;
  available: boolean;
  detail: string;
}

export interface BackendInfo {
  name: BackendName;
  /** The npm package that provides it. */
  provider: string;
  reason: string;
  probes: BackendProbe[];
  /** Threads the backend computes on. */
  threads: number;
  /** Kernels this project registered on top of the stock backend. */
  patchedKernels: string[];
}

export interface InitBackendOptions {
  /** Overrides the automatic choice; an unavailable override is an error. Defaults to $STUDIO_BACKEND. */
  backend?: BackendName;
}

let current: BackendInfo | null = null;
const require = createRequire(import.meta.url);

/** Returns what initBackend chose, or null before it ran. */
export function backendInfo(): BackendInfo | null {
  return current;
}

/**
 * Picks and initialises the compute backend: tfjs-node-gpu (when a GPU is present), tfjs-node,
 * wasm, cpu, in that order. Idempotent: later calls return the first choice unless the override differs.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const override = options.backend ?? parseOverride(process.env.STUDIO_BACKEND);
  if (current && (!override || override === current.name)) {
    // Something may have switched tf to another backend since (tests compare kernels on cpu): switch back, or
    // everything after would quietly run ~30x slower.
    if (tf.getBackend() !== current.name) await activate(current.name);
    return current;
  }

  const probes: BackendProbe[] = [];
  const tensorflow = probeTensorflow(probes);
  const order: BackendName[] = override ? [override] : ['tensorflow', 'wasm', 'cpu'];

  for (const name of order) {
    if (name === 'tensorflow') {
      if (!tensorflow) {
        if (override) throw unavailable(name, probes);
        continue;
      }
      await activate('tensorflow');
      current = finish(name, tensorflow.provider, override ? 'requested by STUDIO_BACKEND' : tensorflow.reason, probes);
      return current;
    }
    if (name === 'wasm') {
      const ok = await tryActivate('wasm', probes);
      if (!ok) {
        if (override) throw unavailable(name, probes);
        continue;
      }
      current = finish(name, '@tensorflow/tfjs-backend-wasm', override ? 'requested by STUDIO_BACKEND' : 'no libtensorflow binding loaded; wasm (SIMD) is the fastest backend left', probes);
      return current;
    }
    const ok = await tryActivate('cpu', probes);
    if (!ok) throw unavailable(name, probes);
    current = finish('cpu', '@tensorflow/tfjs-backend-cpu', override ? 'requested by STUDIO_BACKEND' : 'fallback: nothing faster initialised', probes);
    return current;
  }
  throw unavailable(order[order.length - 1]!, probes);
}

function parseOverride(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new StudioError('BAD_INPUT', `STUDIO_BACKEND=${value} is not a backend; use one of ${BACKEND_NAMES.join(', ')}`);
}

function unavailable(name: BackendName, probes: BackendProbe[]): StudioError {
  const why = probes.filter((p) => !p.available).map((p) => `${p.candidate}: ${p.detail}`).join('; ');
  return new StudioError('UNAVAILABLE', `backend "${name}" is not available here (${why || 'no detail'})`);
}

/** Loads tfjs-node-gpu or tfjs-node if installed; they register the "tensorflow" backend when required. */
function probeTensorflow(probes: BackendProbe[]): { provider: string; reason: string } | null {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(pkg);
    } catch {
      probes.push({ candidate: pkg, available: false, detail: 'not installed (optional dependency; its install downloads libtensorflow)' });
      continue;
    }
    try {
      require(pkg);
      if (pkg.endsWith('-gpu') && !gpuPresent()) {
        probes.push({ candidate: pkg, available: false, detail: 'loaded, but no NVIDIA GPU is visible' });
        continue;
      }
      probes.push({ candidate: pkg, available: true, detail: 'loaded' });
      return { provider: pkg, reason: pkg.endsWith('-gpu') ? 'GPU build of libtensorflow loaded' : 'libtensorflow (CPU) loaded' };
    } catch (err) {
      probes.push({ candidate: pkg, available: false, detail: `failed to load: ${describeThrown(err).split('\n')[0]}` });
    }
  }
  return null;
}

function gpuPresent(): boolean {
  try {
    return require('node:fs').existsSync('/dev/nvidia0') as boolean;
  } catch {
    return false;
  }
}

async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new StudioError('UNAVAILABLE', `backend "${name}" failed to initialise`);
  await tf.ready();
}

async function tryActivate(name: 'wasm' | 'cpu', probes: BackendProbe[]): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    if (name === 'cpu') silenceCpuBanner();
    probes.push({ candidate: name, available: ok, detail: ok ? 'initialised' : 'failed to initialise' });
    return ok;
  } catch (err) {
    probes.push({ candidate: name, available: false, detail: describeThrown(err) });
    return false;
  }
}

function finish(name: BackendName, provider: string, reason: string, probes: BackendProbe[]): BackendInfo {
  silenceCpuBanner();
  const patchedKernels = registerTrainingKernels(name);
  return { name, provider, reason, probes, threads: threadCount(name), patchedKernels };
}

function threadCount(name: BackendName): number {
  if (name === 'wasm') return tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? availableParallelism() : 1;
  if (name === 'cpu') return 1;
  return availableParallelism();
}
