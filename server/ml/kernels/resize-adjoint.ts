/**
 * Exact adjoints of tfjs' resizeBilinear / resizeNearestNeighbor forward kernels (cpu and wasm agree on the
 * forward), honouring alignCorners and halfPixelCenters. Plain typed-array maths, no tfjs.
 */
export interface ResizeGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  channels: number;
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** For each output index along one axis: the source indices and weights the forward pass blends. */
interface AxisTaps {
  low: Int32Array;
  high: Int32Array;
  /** Weight of `high`; `low` gets 1 - frac. */
  frac: Float32Array;
}

function sourceScale(inSize: number, outSize: number, alignCorners: boolean): number {
  const corners = alignCorners && outSize > 1;
  return (corners ? inSize - 1 : inSize) / (corners ? outSize - 1 : outSize);
}

function bilinearTaps(inSize: number, outSize: number, g: ResizeGeometry): AxisTaps {
  const scale = sourceScale(inSize, outSize, g.alignCorners);
  const taps: AxisTaps = { low: new Int32Array(outSize), high: new Int32Array(outSize), frac: new Float32Array(outSize) };
  for (let o = 0; o < outSize; o++) {
    const source = g.halfPixelCenters ? scale * (o + 0.5) - 0.5 : scale * o;
    const low = Math.max(0, Math.floor(source));
    taps.low[o] = low;
    taps.high[o] = Math.min(inSize - 1, Math.ceil(source));
    taps.frac[o] = source - low;
  }
  return taps;
}

function nearestTaps(inSize: number, outSize: number, g: ResizeGeometry): Int32Array {
  const scale = sourceScale(inSize, outSize, g.alignCorners);
  const out = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const source = g.halfPixelCenters ? scale * (o + 0.5) : scale * o;
    let nearest = Math.min(inSize - 1, g.alignCorners ? Math.round(source) : Math.floor(source));
    if (g.halfPixelCenters) nearest = Math.max(0, nearest);
    out[o] = nearest;
  }
  return out;
}

/** dx [batch, inHeight, inWidth, channels] from dy [batch, outHeight, outWidth, channels]. */
export function bilinearAdjoint(dy: Float32Array, g: ResizeGeometry): Float32Array {
  const rows = bilinearTaps(g.inHeight, g.outHeight, g);
  const cols = bilinearTaps(g.inWidth, g.outWidth, g);
  const c = g.channels;
  const dx = new Float32Array(g.batch * g.inHeight * g.inWidth * c);
  let at = 0;
  for (let b = 0; b < g.batch; b++) {
    const image = b * g.inHeight;
    for (let r = 0; r < g.outHeight; r++) {
      const top = (image + rows.low[r]!) * g.inWidth;
      const bottom = (image + rows.high[r]!) * g.inWidth;
      const rf = rows.frac[r]!;
      for (let col = 0; col < g.outWidth; col++) {
        const [left, right, cf] = [cols.low[col]!, cols.high[col]!, cols.frac[col]!];
        const tl = (top + left) * c;
        const tr = (top + right) * c;
        const bl = (bottom + left) * c;
        const br = (bottom + right) * c;
        const [wtl, wtr, wbl, wbr] = [(1 - rf) * (1 - cf), (1 - rf) * cf, rf * (1 - cf), rf * cf];
        for (let d = 0; d < c; d++) {
          const v = dy[at++]!;
          dx[tl + d]! += v * wtl;
          dx[tr + d]! += v * wtr;
          dx[bl + d]! += v * wbl;
          dx[br + d]! += v * wbr;
        }
      }
    }
  }
  return dx;
}

/** dx [batch, inHeight, inWidth, channels] from dy [batch, outHeight, outWidth, channels]. */
export function nearestAdjoint(dy: Float32Array, g: ResizeGeometry): Float32Array {
  const rows = nearestTaps(g.inHeight, g.outHeight, g);
  const cols = nearestTaps(g.inWidth, g.outWidth, g);
  const c = g.channels;
  const dx = new Float32Array(g.batch * g.inHeight * g.inWidth * c);
  let at = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let r = 0; r < g.outHeight; r++) {
      const row = (b * g.inHeight + rows[r]!) * g.inWidth;
      for (let col = 0; col < g.outWidth; col++) {
        const to = (row + cols[col]!) * c;
        for (let d = 0; d < c; d++) dx[to + d]! += dy[at++]!;
      }
    }
  }
  return dx;
}
