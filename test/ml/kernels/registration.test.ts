import { strict as assert } from 'node:assert';
import { tf } from '../../../server/ml/tf.js';
import { initBackend } from '../../../server/ml/backend.js';
import { registerTrainingKernels } from '../../../server/ml/kernels/index.js';
import { conv2dBackpropInputWasm } from '../../../server/ml/kernels/conv2d-backprop-input.js';
import { prepareBackends, restoreBackend } from './compare.js';

describe('registerTrainingKernels', function () {
  let previous: string | null = null;
  before(async () => {
    previous = await prepareBackends();
  });
  after(async () => {
    await restoreBackend(previous);
  });

  it('registers each wasm kernel and gradient once, idempotently', () => {
    const first = registerTrainingKernels('wasm');
    const second = registerTrainingKernels('wasm');
    assert.deepEqual(second, first);
    assert.equal(new Set(first).size, first.length, 'no duplicates');
    for (const name of [
      'Conv2DBackpropFilter (wasm)',
      'Conv2DBackpropInput (wasm)',
      'Conv3D (wasm)',
      'Conv3DBackpropInputV2 (wasm)',
      'Conv3DBackpropFilterV2 (wasm)',
      'BatchMatMul (wasm)',
      'Identity (wasm)',
      'Slice (wasm)',
      'Transpose (wasm)',
      'DepthwiseConv2dNativeBackpropInput (wasm)',
      'DepthwiseConv2dNativeBackpropFilter (wasm)',
      'DepthwiseConv2dNativeBackpropInput (gradient)',
      'DepthwiseConv2dNativeBackpropFilter (gradient)',
      'Cast (wasm)',
      'Sum (wasm)',
      'Mean (wasm)',
      'AvgPoolGrad (wasm)',
      'LeakyRelu (gradient)',
      'ResizeBilinearGrad (wasm)',
      'ResizeNearestNeighborGrad (wasm)',
      'Greater (gradient)',
      'AvgPoolGrad (gradient)',
      'ResizeNearestNeighborGrad (gradient)',
      'ResizeBilinearGrad (gradient)',
      'Conv2DBackpropFilter (gradient)',
      'Conv3DBackpropInputV2 (gradient)',
      'Conv3DBackpropFilterV2 (gradient)',
    ]) {
      assert.ok(first.includes(name), `${name} registered`);
    }
    assert.equal(tf.getKernel(tf.Conv2DBackpropInput, 'wasm')!.kernelFunc, conv2dBackpropInputWasm.kernelFunc, 'stock kernel replaced');
    for (const kernelName of [tf.Greater, tf.AvgPoolGrad, tf.Conv3DBackpropInputV2]) {
      assert.ok(tf.getGradient(kernelName), `gradient for ${kernelName}`);
    }
  });

  it('patches only the resize gradients on cpu, and gradients are shared', () => {
    const cpu = registerTrainingKernels('cpu');
    assert.ok(cpu.includes('ResizeBilinearGrad (cpu)'));
    assert.ok(!cpu.some((n) => n.endsWith('(wasm)')));
    assert.ok(cpu.includes('Greater (gradient)'));
  });

  it('wasm Identity and same-type Cast share the buffer instead of copying, and stay independent tensors', () => {
    const wasm = tf.findBackend('wasm') as unknown as { numDataIds(): number };
    const previousBackend = tf.getBackend();
    tf.setBackend('wasm');
    try {
      const buffers = wasm.numDataIds();
      const x = tf.tensor2d([[1, 2], [3, 4]]);
      const copies = [tf.clone(x), tf.cast(x, 'float32')];
      assert.equal(wasm.numDataIds(), buffers + 1, 'one buffer for all three tensors');
      x.dispose();
      assert.deepEqual(copies.map((c) => c.arraySync()), [[[1, 2], [3, 4]], [[1, 2], [3, 4]]]);
      const converted = tf.cast(copies[0]!, 'int32');
      assert.deepEqual(converted.dataSync(), Int32Array.of(1, 2, 3, 4), 'real casts still convert');
      converted.dispose();
      tf.dispose(copies);
      assert.equal(wasm.numDataIds(), buffers, 'the buffer is freed with the last reference');
    } finally {
      tf.setBackend(previousBackend);
    }
  });

  it('is what initBackend reports as patched kernels', async () => {
    const info = await initBackend({ backend: 'wasm' });
    assert.deepEqual(info.patchedKernels, registerTrainingKernels('wasm'));
  });
});
