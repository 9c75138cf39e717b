import type { tf } from '../tf.js';
import { type AxisGeometry, type TransposedPhase, transposedPlan } from './conv-geometry.js';
import type { Pads2d, WasmScope } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;

/** dy cropped/padded for one phase's stride-1 correlation, or null when no dy row or column reaches the phase. */
export interface PhaseInput {
  input: TensorInfo;
  pads: Pads2d;
  dilations: [number, number];
}

export function phaseInput(scope: WasmScope, dy: TensorInfo, rowPhase: TransposedPhase, colPhase: TransposedPhase): PhaseInput | null {
  if (rowPhase.taps.length === 0 || colPhase.taps.length === 0) return null;
  const [, oh, ow] = dy.shape as [number, number, number, number];
  const cropTop = Math.max(0, -rowPhase.padBefore);
  const cropLeft = Math.max(0, -colPhase.padBefore);
  const keepRows = oh - cropTop - Math.max(0, -rowPhase.padAfter);
  const keepCols = ow - cropLeft - Math.max(0, -colPhase.padAfter);
  if (keepRows <= 0 || keepCols <= 0) return null;
  return {
    input: scope.crop2d(dy, cropTop, keepRows, cropLeft, keepCols),
    pads: {
      top: Math.max(0, rowPhase.padBefore),
      bottom: Math.max(0, rowPhase.padAfter),
      left: Math.max(0, colPhase.padBefore),
      right: Math.max(0, colPhase.padAfter),
    },
    dilations: [rowPhase.dilation, colPhase.dilation],
  };
}

/**
 * A transposed conv (input gradient) [n, h, w, channels] assembled from its sub-pixel phases: `phaseConv` returns
 * each phase's [n, blocksH, blocksW, channels] (null: zeros); the phases are stacked and interleaved with at most
 * two rank<=4 transposes, then cropped to h x w.
 */
export function transposedByPhases(
  scope: WasmScope,
  n: number,
  channels: number,
  rows: AxisGeometry,
  cols: AxisGeometry,
  phaseConv: (rowPhase: TransposedPhase, colPhase: TransposedPhase) => TensorInfo | null,
): TensorInfo {
  const rowPlan = transposedPlan(rows);
  const colPlan = transposedPlan(cols);
  const phaseOutputs: (TensorInfo | null)[] = [];
  for (const rowPhase of rowPlan.phases) {
    for (const colPhase of colPlan.phases) phaseOutputs.push(phaseConv(rowPhase, colPhase));
  }
  const [blockRows, blockCols] = [rowPlan.blocks, colPlan.blocks];
  const [sh, sw] = [rows.stride, cols.stride];
  let full: TensorInfo;
  if (phaseOutputs.length === 1) {
    full = phaseOutputs[0] ?? scope.zeros([n, blockRows, blockCols, channels]);
  } else {
    const block = n * blockRows * blockCols * channels;
    const stacked = scope.alloc([sh, sw, n * blockRows * blockCols, channels]);
    const stackedValues = scope.data(stacked);
    phaseOutputs.forEach((phase, i) => {
      if (phase) stackedValues.set(scope.data(phase), i * block);
      else stackedValues.fill(0, i * block, (i + 1) * block);
    });
    let interleaved = stacked;
    if (sw > 1) interleaved = scope.transpose(interleaved, [0, 2, 1, 3]);
    if (sh > 1) {
      const byRows = scope.view(interleaved, [sh, n * blockRows, blockCols * sw * channels]);
      interleaved = scope.transpose(byRows, [1, 0, 2]);
    }
    full = scope.view(interleaved, [n, blockRows * sh, blockCols * sw, channels]);
  }
  return scope.crop2d(full, 0, rows.inSize, 0, cols.inSize);
}
