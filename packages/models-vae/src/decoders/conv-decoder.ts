import * as tf from '@tensorflow/tfjs-core';
import { defineNetwork, type Condition, type Decoder, type DecoderOutput, type ParameterStore, type RandomStream } from '@elbo/core';
import { type Activation, ConvTransposeLayer, checkFeatureMaps, stridedSizes, DenseLayer } from '@elbo/compute';
import { convOptions, imageShapeOf, type ConvOptions } from '../encoders/conv-encoder.js';

/**
 * The mirror of the conv encoder: z (+ c) → optional dense layer → dense to the smallest feature
 * map → stride-2 transposed convolutions back to the image size, the last one producing one
 * channel group per likelihood parameter. `channels` is listed as for the encoder (image inwards).
 */
export class ConvDecoder implements Decoder {
  private readonly hidden?: DenseLayer;
  private readonly project: DenseLayer;
  private readonly deconvs: ConvTransposeLayer[];
  private readonly hs: number[];
  private readonly ws: number[];
  private readonly top: number;

  constructor(
    private readonly store: ParameterStore,
    readonly imageShape: [number, number, number],
    inDim: number,
    readonly paramNames: readonly string[],
    o: ConvOptions,
    init: RandomStream,
  ) {
    const [h, w, c] = imageShape;
    const n = o.channels.length;
    this.hs = stridedSizes(h, n, o.stride);
    this.ws = stridedSizes(w, n, o.stride);
    this.top = o.channels[n - 1]!;
    let d = inDim;
    if (o.hidden > 0) {
      this.hidden = new DenseLayer(store, 'hidden', d, o.hidden, o.activation as Activation, init);
      d = o.hidden;
    }
    this.project = new DenseLayer(store, 'project', d, this.hs[n]! * this.ws[n]! * this.top, o.activation as Activation, init);
    this.deconvs = [];
    for (let i = n - 1; i >= 0; i--) {
      const inCh = o.channels[i]!;
      const outCh = i === 0 ? c * paramNames.length : o.channels[i - 1]!;
      this.deconvs.push(new ConvTransposeLayer(store, `deconv${n - 1 - i}`, inCh, outCh, o.kernel, o.stride, i === 0 ? 'linear' : (o.activation as Activation), init));
    }
  }

  parameters() {
    return this.store.parameters();
  }

  decode(z: tf.Tensor2D, c?: Condition): DecoderOutput {
    const b = z.shape[0];
    const n = this.deconvs.length;
    const input = c ? tf.concat([z, c], 1) : z;
    const flat = this.project.apply(this.hidden ? this.hidden.apply(input) : input);
    let h = tf.reshape(flat, [b, this.hs[n]!, this.ws[n]!, this.top]) as tf.Tensor4D;
    this.deconvs.forEach((l, j) => {
      h = l.apply(h, this.hs[n - 1 - j]!, this.ws[n - 1 - j]!);
    });
    const ch = this.imageShape[2];
    const groups = this.paramNames.length === 1 ? [h] : (tf.split(h, this.paramNames.length, 3) as tf.Tensor4D[]);
    return Object.fromEntries(this.paramNames.map((name, i) => [name, tf.reshape(groups[i]!, [b, this.hs[0]! * this.ws[0]! * ch]) as tf.Tensor2D]));
  }
}

export const convDecoder = defineNetwork({
  kind: 'decoder',
  name: 'conv',
  summary: 'Transposed-convolution decoder for images, mirroring the conv encoder',
  options: convOptions,
  build: (o, s, params, init) => {
    const image = imageShapeOf(s.dataShape, 'model.decoder');
    // The transposed convolutions produce the encoder's feature maps in reverse: the same sizes.
    if (s.batchSize) checkFeatureMaps(s.batchSize, image[0], image[1], o.channels, o.stride);
    return new ConvDecoder(params, image, s.latentDim + s.conditionDim, s.likelihoodParams, o, init);
  },
});
