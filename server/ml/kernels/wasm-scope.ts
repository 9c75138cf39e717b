import { tf } from '../tf.js';

type TensorInfo = tf.TensorInfo;

/** The part of tfjs-backend-wasm's BackendWasm that composed kernels use (typed here so tf.ts stays the one import). */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  incRef(dataId: tf.DataId): void;
}

/**
 * Runs the wasm backend's own kernel functions directly (no tf ops, no engine bookkeeping) and frees every
 * intermediate it made when the composed kernel returns. Only float32 NHWC data flows through here.
 */
export class WasmScope {
  private readonly temps: TensorInfo[] = [];

  constructor(readonly backend: WasmBackend) {}

  /** Calls the wasm kernel registered under `kernelName`; its output is freed with the scope unless kept. */
  run(kernelName: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (!kernel) throw new Error(`wasm kernel ${kernelName} is not registered`);
    return this.call(kernel, inputs, attrs);
  }

  /** Calls a specific kernel (e.g. the stock one a patch wraps); its output is freed with the scope unless kept. */
  call(kernel: tf.KernelConfig, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
    const out = kernel.kernelFunc({
      inputs: inputs as tf.NamedTensorInfoMap,
      attrs: attrs as tf.NamedAttrMap,
      backend: this.backend as unknown as tf.KernelBackend,
    });
    if (Array.isArray(out)) throw new Error(`wasm kernel ${kernel.kernelName} returned several outputs`);
    return this.track(out);
  }

  /** A new uninitialised float32 buffer. */
  alloc(shape: number[]): TensorInfo {
    return this.track(this.backend.makeOutput(shape, 'float32'));
  }

  /** A new float32 buffer filled with zeros. */
  zeros(shape: number[]): TensorInfo {
    const out = this.alloc(shape);
    this.data(out).fill(0);
    return out;
  }

  /** A float32 buffer holding `values` (filters rearranged in JS: they are small). */
  fromValues(shape: number[], values: Float32Array): TensorInfo {
    const out = this.alloc(shape);
    this.data(out).set(values);
    return out;
  }

  /** Same data, another shape (shares the buffer; reference counted). */
  view(x: TensorInfo, shape: number[]): TensorInfo {
    if (sizeOf(shape) !== sizeOf(x.shape)) throw new Error(`cannot view [${x.shape}] as [${shape}]`);
    this.backend.incRef(x.dataId);
    return this.track({ dataId: x.dataId, shape, dtype: x.dtype });
  }

  /** The live heap view of a float32 tensor (valid until the next wasm allocation). */
  data(x: TensorInfo): Float32Array {
    const values = this.backend.typedArrayFromHeap(x);
    if (!(values instanceof Float32Array)) throw new Error(`expected float32 data, got ${x.dtype}`);
    return values;
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run(tf.Transpose, { x }, { perm });
  }

  /** Crops to `size` starting at `begin`; returns x itself (no copy) when nothing is cropped. */
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    if (begin.every((b) => b === 0) && size.every((s, i) => s === x.shape[i])) return x;
    return this.run(tf.Slice, { x }, { begin, size });
  }

  /**
   * Keeps rows [top, top + keepRows) and columns [left, left + keepCols) of x [n, h, w, c], through rank-3 views
   * so the copies run in long contiguous stretches.
   */
  crop2d(x: TensorInfo, top: number, keepRows: number, left: number, keepCols: number): TensorInfo {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    let out = x;
    if (top > 0 || keepRows < h) {
      const rows = this.slice(this.view(out, [n, h, w * c]), [0, top, 0], [n, keepRows, w * c]);
      out = this.view(rows, [n, keepRows, w, c]);
    }
    if (left > 0 || keepCols < w) {
      const cols = this.slice(this.view(out, [n * keepRows, w, c]), [0, left, 0], [n * keepRows, keepCols, c]);
      out = this.view(cols, [n, keepRows, keepCols, c]);
    }
    return out;
  }

  /** Zero-pads by [before, after] per axis; returns x itself when nothing is padded. */
  pad(x: TensorInfo, paddings: [number, number][]): TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run(tf.PadV2, { x }, { paddings, constantValue: 0 });
  }

  /** NHWC conv2d with explicit non-negative padding; dilation and stride may both exceed 1 (XNNPACK allows it). */
  conv2d(x: TensorInfo, filter: TensorInfo, options: Conv2dCallOptions): TensorInfo {
    const { strides = [1, 1], dilations = [1, 1], pads } = options;
    return this.run(
      tf.Conv2D,
      { x, filter },
      {
        strides,
        dilations,
        pad: [[0, 0], [pads.top, pads.bottom], [pads.left, pads.right], [0, 0]],
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      },
    );
  }

  /**
   * Stops tracking `x` so it survives the scope (the composed kernel's output). A tensor the scope did not make
   * (an input passed through unchanged) gets its own reference, so the engine never frees one buffer twice.
   */
  keep(x: TensorInfo): TensorInfo {
    const at = this.temps.lastIndexOf(x);
    if (at >= 0) {
      this.temps.splice(at, 1);
      return x;
    }
    this.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }

  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }

  private track(x: TensorInfo): TensorInfo {
    this.temps.push(x);
    return x;
  }
}

export interface Pads2d {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export interface Conv2dCallOptions {
  strides?: [number, number];
  dilations?: [number, number];
  pads: Pads2d;
}

/** Runs `body` in a fresh scope; everything it allocated except the returned tensor is freed, also on error. */
export function inWasmScope(backend: unknown, body: (scope: WasmScope) => TensorInfo): TensorInfo {
  const scope = new WasmScope(backend as unknown as WasmBackend);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.dispose();
  }
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
