import * as tf from '@tensorflow/tfjs-core';
import { activate, type Activation } from '../layers/activation.js';
import { conv2d, conv2dTranspose } from '../layers/conv.js';
import type { SeedSource, VariableFactory } from './dense-layer.js';
import { checkTensorSize } from './tensor-budget.js';

type Shape4 = [number, number, number, number];

function glorot(shape: Shape4, fanIn: number, fanOut: number, init: SeedSource): tf.Tensor {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.randomUniform(shape, -limit, limit, 'float32', init.nextSeed());
}

/**
 * The variables of a strided convolution layer: a Glorot-uniform filter (fans kernel²·in and
 * kernel²·out channels) named `<name>/filter`, laid out by `filterShape`, and a zero `<name>/bias`.
 */
abstract class StridedConvLayer {
  readonly filter: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    store: VariableFactory,
    name: string,
    inCh: number,
    readonly outCh: number,
    readonly kernel: number,
    readonly stride: number,
    readonly activation: Activation,
    init: SeedSource,
  ) {
    checkTensorSize(`${name}/filter`, this.filterShape(inCh));
    this.filter = store.create(`${name}/filter`, glorot(this.filterShape(inCh), kernel * kernel * inCh, kernel * kernel * outCh, init));
    this.bias = store.create(`${name}/bias`, tf.zeros([outCh]));
  }

  /** The filter's layout for `inCh` input channels; called by the constructor, once kernel and outCh are set. */
  protected abstract filterShape(inCh: number): Shape4;
}

/**
 * A strided convolution with 'same' padding, y = act(conv(x, W) + b). Goes through compute's conv2d,
 * whose filter gradient is itself a forward convolution, so it trains on backends without a
 * Conv2DBackpropFilter kernel (WASM).
 */
export class ConvLayer extends StridedConvLayer {
  protected filterShape(inCh: number): Shape4 {
    return [this.kernel, this.kernel, inCh, this.outCh];
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => activate(tf.add(conv2d(x, this.filter as tf.Tensor4D, this.stride, 'same'), this.bias) as tf.Tensor4D, this.activation));
  }
}

/** A strided transposed convolution ('same' padding) to an explicit output size. */
export class ConvTransposeLayer extends StridedConvLayer {
  /** conv2dTranspose filters are [kh, kw, outCh, inCh]. */
  protected filterShape(inCh: number): Shape4 {
    return [this.kernel, this.kernel, this.outCh, inCh];
  }

  apply(x: tf.Tensor4D, outHeight: number, outWidth: number): tf.Tensor4D {
    return tf.tidy(() => {
      const shape: Shape4 = [x.shape[0], outHeight, outWidth, this.outCh];
      return activate(tf.add(conv2dTranspose(x, this.filter as tf.Tensor4D, shape, this.stride, 'same'), this.bias) as tf.Tensor4D, this.activation);
    });
  }
}

/** Spatial sizes through `layers` stride-s 'same' convolutions: [H, ⌈H/s⌉, ⌈H/s²⌉, …]. */
export function stridedSizes(size: number, layers: number, stride: number): number[] {
  const out = [size];
  for (let i = 0; i < layers; i++) out.push(Math.ceil(out[i]! / stride));
  return out;
}

/**
 * Refuses, before anything is allocated, the feature maps of `channels.length` stride-`stride`
 * 'same' convolutions over a batch of `batch` `height`×`width` images when one would not fit (see
 * `checkTensorSize`): the weights of a layer may be small while its activations are not.
 */
export function checkFeatureMaps(batch: number, height: number, width: number, channels: readonly number[], stride: number): void {
  const hs = stridedSizes(height, channels.length, stride);
  const ws = stridedSizes(width, channels.length, stride);
  channels.forEach((c, i) => checkTensorSize(`the feature map of convolution ${i + 1} for a batch of ${batch}`, [batch, hs[i + 1]!, ws[i + 1]!, c]));
}
