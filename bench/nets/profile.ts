/**
 * Where the time of one call goes, per tfjs kernel (tf.profile; kernel times are wall-clock on cpu/wasm).
 * Composite kernels (this project's wasm Conv2DBackpropFilter etc.) run inner kernels that tf.profile lists too,
 * so shares can add up to more than 100%; customGrad's container scopes are left out.
 */
import { tf } from '../../server/ml/tf.js';

export interface KernelCost {
  kernel: string;
  calls: number;
  ms: number;
  share: number;
}

export interface Profile {
  totalMs: number;
  kernelMs: number;
  kernels: KernelCost[];
  /** The most expensive single calls, with shapes. */
  slowestCalls: { kernel: string; ms: number; inputShapes: string; outputShapes: string }[];
}

/** Scope names tf.profile records around customGrad ops: they contain kernels, they are not kernels. */
const CONTAINERS = new Set(['forward', 'unnamed scope']);

export async function profileKernels(fn: () => unknown, top = 15): Promise<Profile> {
  const start = performance.now();
  const info = await tf.profile(() => {
    fn();
    return [] as tf.Tensor[];
  });
  const totalMs = performance.now() - start;
  const byKernel = new Map<string, { calls: number; ms: number }>();
  let kernelMs = 0;
  const kernelsOnly = info.kernels.filter((k) => !CONTAINERS.has(k.name));
  for (const k of kernelsOnly) {
    const ms = Number(k.kernelTimeMs) || 0;
    kernelMs += ms;
    const entry = byKernel.get(k.name) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += ms;
    byKernel.set(k.name, entry);
  }
  const kernels = [...byKernel.entries()]
    .map(([kernel, e]) => ({ kernel, calls: e.calls, ms: Math.round(e.ms), share: Math.round((e.ms / kernelMs) * 1000) / 1000 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
  const slowestCalls = [...kernelsOnly]
    .sort((a, b) => (Number(b.kernelTimeMs) || 0) - (Number(a.kernelTimeMs) || 0))
    .slice(0, top)
    .map((k) => ({
      kernel: k.name,
      ms: Math.round(Number(k.kernelTimeMs) || 0),
      inputShapes: JSON.stringify(k.inputShapes),
      outputShapes: JSON.stringify(k.outputShapes),
    }));
  return { totalMs: Math.round(totalMs), kernelMs: Math.round(kernelMs), kernels, slowestCalls };
}
