import { tf } from '../tf.js';

/** One spatial axis of a forward convolution: y[o] = sum_k x[o * stride + k * dilation - padBefore] * w[k]. */
export interface AxisGeometry {
  inSize: number;
  outSize: number;
  filterSize: number;
  stride: number;
  dilation: number;
  padBefore: number;
}

/**
 * Padding after the input that the forward conv actually reads: negative when trailing input rows are never
 * touched (e.g. 'valid' with stride 2 on an even size), which callers turn into a crop.
 */
export function readPadAfter(g: AxisGeometry): number {
  return (g.outSize - 1) * g.stride + (g.filterSize - 1) * g.dilation + 1 - g.inSize - g.padBefore;
}

/**
 * How to present the input to a forward conv with non-negative padding: tfjs' 3-D 'same' arithmetic can give a
 * negative padding (filter smaller than stride), which means skipping input rows instead.
 */
export interface ReadWindow {
  cropBefore: number;
  keep: number;
  padBefore: number;
  padAfter: number;
}

export function readWindow(g: AxisGeometry): ReadWindow {
  const after = readPadAfter(g);
  const cropBefore = Math.max(0, -g.padBefore);
  return {
    cropBefore,
    keep: g.inSize - cropBefore - Math.max(0, -after),
    padBefore: Math.max(0, g.padBefore),
    padAfter: Math.max(0, after),
  };
}

export function is1x1Identity(rows: AxisGeometry, cols: AxisGeometry): boolean {
  return [rows, cols].every((g) => g.filterSize === 1 && g.stride === 1 && g.padBefore === 0 && g.inSize === g.outSize);
}

/** Height and width geometry of a 2-D conv from tfjs' own shape arithmetic (so 'same'/'valid'/explicit agree). */
export function conv2dAxes(info: tf.backend_util.Conv2DInfo): [AxisGeometry, AxisGeometry] {
  return heightAndWidth(info);
}

/** Depth, height and width geometry of a 3-D conv. */
export function conv3dAxes(info: tf.backend_util.Conv3DInfo): [AxisGeometry, AxisGeometry, AxisGeometry] {
  const depth: AxisGeometry = {
    inSize: info.inDepth,
    outSize: info.outDepth,
    filterSize: info.filterDepth,
    stride: info.strideDepth,
    dilation: info.dilationDepth,
    padBefore: info.padInfo.front,
  };
  return [depth, ...heightAndWidth(info)];
}

/** The height and width axes: the same fields in a 2-D and a 3-D conv's info. */
function heightAndWidth(info: tf.backend_util.Conv2DInfo | tf.backend_util.Conv3DInfo): [AxisGeometry, AxisGeometry] {
  return [
    {
      inSize: info.inHeight,
      outSize: info.outHeight,
      filterSize: info.filterHeight,
      stride: info.strideHeight,
      dilation: info.dilationHeight,
      padBefore: info.padInfo.top,
    },
    {
      inSize: info.inWidth,
      outSize: info.outWidth,
      filterSize: info.filterWidth,
      stride: info.strideWidth,
      dilation: info.dilationWidth,
      padBefore: info.padInfo.left,
    },
  ];
}

/**
 * One output phase of a transposed conv (the input gradient) along one axis. Input positions
 * i = u * stride + phase (u = 0..blocks-1) only receive filter taps k = residue + stride * m, so each phase is a
 * stride-1 correlation of dy with those `taps` taps in reverse order: no multiplies by inserted zeros.
 */
export interface TransposedPhase {
  phase: number;
  /** Filter taps used, in correlation order (already reversed). Empty: the phase gets no contribution. */
  taps: number[];
  /** dy padding before/after for the stride-1 correlation; negative means crop. */
  padBefore: number;
  padAfter: number;
  /** Of the correlation: the forward dilation when the stride is 1 (one phase), else 1. */
  dilation: number;
}

export interface TransposedPlan {
  phases: TransposedPhase[];
  /** Outputs per phase: the phases together cover blocks * stride >= inSize positions (the excess is cropped). */
  blocks: number;
}

/**
 * Sub-pixel decomposition of the transposed conv along one axis. A dilated conv must have stride 1 (as tfjs
 * requires): its one phase is the dilated correlation with the reversed filter.
 */
export function transposedPlan(g: AxisGeometry): TransposedPlan {
  if (g.dilation !== 1) {
    if (g.stride !== 1) throw new Error('a transposed conv with both stride and dilation > 1 is not supported');
    const taps = Array.from({ length: g.filterSize }, (_, k) => g.filterSize - 1 - k);
    const padBefore = (g.filterSize - 1) * g.dilation - g.padBefore;
    return { phases: [{ phase: 0, taps, padBefore, padAfter: g.inSize - g.outSize + g.padBefore, dilation: g.dilation }], blocks: g.inSize };
  }
  const s = g.stride;
  const blocks = Math.ceil(g.inSize / s);
  const phases: TransposedPhase[] = [];
  for (let phase = 0; phase < s; phase++) {
    const residue = (((phase + g.padBefore) % s) + s) % s;
    const firstBlock = Math.floor((phase + g.padBefore) / s);
    const count = residue < g.filterSize ? Math.ceil((g.filterSize - residue) / s) : 0;
    const taps: number[] = [];
    for (let m = count - 1; m >= 0; m--) taps.push(residue + s * m);
    phases.push({
      phase,
      taps,
      padBefore: count - 1 - firstBlock,
      padAfter: firstBlock + blocks - g.outSize,
      dilation: 1,
    });
  }
  return { phases, blocks };
}
