/** The models `npm run bench` measures, with their FLOP counts written out. */

export interface ConvShape {
  /** Input [height, width, channels] of the forward convolution. */
  readonly in: readonly [number, number, number];
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride: number;
}

export interface BenchModel {
  readonly name: string;
  readonly describe: string;
  readonly batch: number;
  readonly data: Record<string, unknown> | string;
  readonly model: Record<string, unknown>;
  /** Multiply-adds × 2 for one sample's forward and backward pass (weights' and inputs' gradients). */
  readonly flopsPerSample: number;
  /** Forward convolutions of the model (transposed ones as the convolution they transpose). */
  readonly convShapes?: readonly ConvShape[];
  /** The correctness check: steps and batch (small enough for the unoptimised path). */
  readonly check: { readonly steps: number; readonly batch: number };
  /** Where the unoptimised reference runs when it cannot run on the measured backend. */
  readonly referenceBackend?: Partial<Record<string, string>>;
  readonly skip?: readonly string[];
}

/**
 * Dense layer FLOPs per sample for a forward+backward step: 2·in·out forward, 2·in·out for the
 * weight gradient, and 2·in·out for the input gradient unless the input is data.
 */
const dense = (i: number, o: number, inputIsData = false) => 2 * i * o * (inputIsData ? 2 : 3);
const convFwd = (s: ConvShape) => 2 * s.kernel * s.kernel * s.in[2] * s.outChannels * Math.ceil(s.in[0] / s.stride) * Math.ceil(s.in[1] / s.stride);

/** 784-400-20 / 20-400-784 (the encoder's head outputs μ and log σ², 2·20). */
const mlpFlops = dense(784, 400, true) + dense(400, 40) + dense(20, 400) + dense(400, 784);

/** The conv VAE for 64×64 images: four stride-2 4×4 convolutions of 32 channels each way. */
const encoderConvs: ConvShape[] = [
  { in: [64, 64, 1], outChannels: 32, kernel: 4, stride: 2 },
  { in: [32, 32, 32], outChannels: 32, kernel: 4, stride: 2 },
  { in: [16, 16, 32], outChannels: 32, kernel: 4, stride: 2 },
  { in: [8, 8, 32], outChannels: 32, kernel: 4, stride: 2 },
];
/** Each transposed convolution of the decoder is the transpose of a forward convolution of this shape. */
const decoderConvs: ConvShape[] = [
  { in: [8, 8, 32], outChannels: 32, kernel: 4, stride: 2 },
  { in: [16, 16, 32], outChannels: 32, kernel: 4, stride: 2 },
  { in: [32, 32, 32], outChannels: 32, kernel: 4, stride: 2 },
  { in: [64, 64, 1], outChannels: 32, kernel: 4, stride: 2 },
];
const convLatent = 10;
const convFlops =
  // encoder convs: forward + filter gradient; input gradient for all but the first (data) layer
  encoderConvs.reduce((a, s, i) => a + convFwd(s) * (i === 0 ? 2 : 3), 0) +
  dense(4 * 4 * 32, 256) +
  dense(256, 2 * convLatent) +
  dense(convLatent, 256) +
  dense(256, 4 * 4 * 32) +
  decoderConvs.reduce((a, s) => a + convFwd(s) * 3, 0);

export const benchModels: BenchModel[] = [
  {
    name: 'reference-mlp',
    describe: 'MLP 784-400-20 / 20-400-784, ReLU, Bernoulli, batch 128, Adam, on MNIST digits',
    batch: 128,
    data: { name: 'mnist', binarize: 'static', limit: { train: 128 * 40, test: 1 } },
    model: { latent: 20, encoder: { name: 'mlp', hidden: [400], activation: 'relu' }, decoder: { name: 'mlp', hidden: [400], activation: 'relu' }, likelihood: 'bernoulli' },
    flopsPerSample: mlpFlops,
    check: { steps: 20, batch: 128 },
  },
  {
    name: 'conv-vae-64',
    describe: 'conv 64×64: 4 stride-2 4×4 convolutions of 32 channels each way, dense 256, latent 10, Bernoulli, batch 64, Adam, on dSprites (generator)',
    batch: 64,
    data: { name: 'dsprites', source: 'generator', trainSize: 64 * 40, testSize: 1 },
    model: {
      latent: convLatent,
      encoder: { name: 'conv', channels: [32, 32, 32, 32], kernel: 4, stride: 2, hidden: 256 },
      decoder: { name: 'conv', channels: [32, 32, 32, 32], kernel: 4, stride: 2, hidden: 256 },
      likelihood: 'bernoulli',
    },
    flopsPerSample: convFlops,
    convShapes: [...encoderConvs, ...decoderConvs],
    check: { steps: 3, batch: 8 },
    // WASM has no built-in conv filter gradient: the unoptimised reference runs on the CPU backend.
    referenceBackend: { wasm: 'cpu' },
    skip: ['cpu'], // more than a minute per step with the built-in conv gradients
  },
];
