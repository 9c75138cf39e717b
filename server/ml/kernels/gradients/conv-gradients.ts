import { tf } from '../../tf.js';

type Tensor = tf.Tensor;
type Shape4 = [number, number, number, number];
type Shape5 = [number, number, number, number, number];

/*
 * Second-order and transposed-conv gradients tfjs 4.22 lacks on every backend. Each backprop kernel is linear in
 * each of its two inputs, so its gradients are the other two members of the conv triple (forward, input gradient,
 * filter gradient) with the same strides and padding. Written with tfjs ops so they are differentiable again.
 */

/** Needed for WGAN-GP through conv2d: the penalty differentiates dW = Conv2DBackpropFilter(x, dy) again. */
export const conv2dBackpropFilterGradient: tf.GradConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  inputsToSave: ['x', 'dy'],
  gradFunc: (ddw, saved, attrs) => {
    const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const filter = ddw as tf.Tensor4D;
    return {
      x: () => tf.conv2dTranspose(dy, filter, x.shape as Shape4, strides, pad, dimRoundingMode),
      dy: () => tf.conv2d(x, filter, strides, pad, dataFormat, 1, dimRoundingMode),
    };
  },
};

/** conv3dTranspose's forward kernel: without this no backend can train a transposed 3-D conv. */
export const conv3dBackpropInputGradient: tf.GradConfig = {
  kernelName: tf.Conv3DBackpropInputV2,
  inputsToSave: ['dy', 'filter'],
  gradFunc: (ddx, saved, attrs) => {
    const [dy, filter] = saved as [tf.Tensor5D, tf.Tensor5D];
    const { strides, pad } = attrs as unknown as tf.Conv3DBackpropInputV2Attrs;
    return {
      dy: () => tf.conv3d(ddx as tf.Tensor5D, filter, strides, pad),
      filter: () => {
        const attrs = { strides, pad, filterShape: filter.shape as Shape5 };
        return tf.engine().runKernel(tf.Conv3DBackpropFilterV2, { x: ddx as Tensor, dy }, attrs as unknown as tf.NamedAttrMap) as Tensor;
      },
    };
  },
};

/** Needed for WGAN-GP through conv3d / conv3dTranspose. */
export const conv3dBackpropFilterGradient: tf.GradConfig = {
  kernelName: tf.Conv3DBackpropFilterV2,
  inputsToSave: ['x', 'dy'],
  gradFunc: (ddw, saved, attrs) => {
    const [x, dy] = saved as [tf.Tensor5D, tf.Tensor5D];
    const { strides, pad } = attrs as unknown as tf.Conv3DBackpropFilterV2Attrs;
    const filter = ddw as tf.Tensor5D;
    return {
      x: () => tf.conv3dTranspose(dy, filter, x.shape as Shape5, strides, pad),
      dy: () => tf.conv3d(x, filter, strides, pad),
    };
  },
};

/** Depthwise counterparts (tfjs has the first-order depthwise gradient but not these second-order ones). */
export const depthwiseBackpropInputGradient: tf.GradConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  inputsToSave: ['dy', 'filter'],
  gradFunc: (ddx, saved, attrs) => {
    const [dy, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, dilations, pad, dimRoundingMode } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    return {
      dy: () => tf.depthwiseConv2d(ddx as tf.Tensor4D, filter, strides, pad, 'NHWC', dilations, dimRoundingMode),
      filter: () => {
        const filterAttrs = { strides, dilations, pad, dimRoundingMode, filterShape: filter.shape };
        return tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x: ddx as Tensor, dy }, filterAttrs as unknown as tf.NamedAttrMap) as Tensor;
      },
    };
  },
};

export const depthwiseBackpropFilterGradient: tf.GradConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  inputsToSave: ['x', 'dy'],
  gradFunc: (ddw, saved, attrs) => {
    const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, dilations, pad, dimRoundingMode } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    const filter = ddw as tf.Tensor4D;
    return {
      x: () => {
        const inputAttrs = { strides, dilations, pad, dimRoundingMode, inputShape: x.shape };
        return tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter }, inputAttrs as unknown as tf.NamedAttrMap) as Tensor;
      },
      dy: () => tf.depthwiseConv2d(x, filter, strides, pad, 'NHWC', dilations, dimRoundingMode),
    };
  },
};
