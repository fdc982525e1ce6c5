import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfigError, DiagonalGaussian, defineNetwork, opt, type Condition, type Encoder, type ParameterStore, type RandomStream, activationOption } from '@elbo/core';
import { type Activation, ConvLayer, checkFeatureMaps, stridedSizes, DenseLayer } from '@elbo/compute';

export const convOptions = z
  .object({
    /** Channels of each stride-2 layer, from the image inwards (the decoder mirrors them). */
    channels: opt.widths().default([32, 64]).describe('channels of each stride-s convolution, from the image inwards (the decoder mirrors them)'),
    kernel: opt.positiveInt().default(4).describe('kernel height and width'),
    stride: opt.positiveInt().default(2).describe("stride of every convolution ('same' padding)"),
    /** Width of the dense layer between the feature map and the latent (0: none). */
    hidden: opt.nonNegativeInt().default(256).describe('width of the dense layer between feature map and latent (0: none)'),
    activation: activationOption().default('relu').describe('activation of the hidden layers'),
  })
  .strict();
export type ConvOptions = z.output<typeof convOptions>;

export function imageShapeOf(dataShape: readonly number[], path: string): [number, number, number] {
  if (dataShape.length !== 3) throw new ConfigError(`${path}: convolutional layers need image data of shape [height, width, channels], got [${dataShape.join(', ')}]`);
  return dataShape as [number, number, number];
}

/**
 * q(z|x) from a convolutional network (as in Higgins et al. 2017 / Burgess et al. 2018 for 64×64
 * dSprites; two layers suit 28×28 MNIST): stride-2 'same' convolutions → flatten → optional dense
 * layer → linear head (μ, log σ²). A condition is concatenated after flattening.
 */
export class ConvEncoder implements Encoder {
  private readonly convs: ConvLayer[];
  private readonly hidden?: DenseLayer;
  private readonly head: DenseLayer;

  constructor(
    private readonly store: ParameterStore,
    readonly imageShape: [number, number, number],
    latentDim: number,
    conditionDim: number,
    o: ConvOptions,
    init: RandomStream,
  ) {
    const [h, w, c] = imageShape;
    let ch = c;
    this.convs = o.channels.map((out, i) => {
      const l = new ConvLayer(store, `conv${i}`, ch, out, o.kernel, o.stride, o.activation as Activation, init);
      ch = out;
      return l;
    });
    const hs = stridedSizes(h, o.channels.length, o.stride);
    const ws = stridedSizes(w, o.channels.length, o.stride);
    let flat = hs[hs.length - 1]! * ws[ws.length - 1]! * ch + conditionDim;
    if (o.hidden > 0) {
      this.hidden = new DenseLayer(store, 'hidden', flat, o.hidden, o.activation as Activation, init);
      flat = o.hidden;
    }
    this.head = new DenseLayer(store, 'head', flat, 2 * latentDim, 'linear', init);
  }

  parameters() {
    return this.store.parameters();
  }

  encode(x: tf.Tensor2D, c?: Condition): DiagonalGaussian {
    const img = tf.reshape(x, [x.shape[0], ...this.imageShape]) as tf.Tensor4D;
    const feat = this.convs.reduce((h, l) => l.apply(h), img);
    let flat = tf.reshape(feat, [x.shape[0], -1]) as tf.Tensor2D;
    if (c) flat = tf.concat([flat, c], 1);
    return DiagonalGaussian.fromParams(this.head.apply(this.hidden ? this.hidden.apply(flat) : flat));
  }
}

export const convEncoder = defineNetwork({
  kind: 'encoder',
  name: 'conv',
  summary: 'Convolutional encoder for images (28×28, 64×64): stride-2 convolutions → (μ, log σ²)',
  options: convOptions,
  build: (o, s, params, init) => {
    const image = imageShapeOf(s.dataShape, 'model.encoder');
    if (s.batchSize) checkFeatureMaps(s.batchSize, image[0], image[1], o.channels, o.stride);
    return new ConvEncoder(params, image, s.latentDim, s.conditionDim, o, init);
  },
});
