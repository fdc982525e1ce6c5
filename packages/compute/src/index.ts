export { selectBackend, backendFromEnv, registerGradients, type BackendChoice, type BackendPreference } from './backend.js';
export { activate, ACTIVATIONS, type Activation } from './layers/activation.js';
export { dense, initDense, type DenseParams } from './layers/dense.js';
export { conv2d, conv2dTranspose, initConv, type ConvParams } from './layers/conv.js';
export { convGeometry, type ConvPadding, type ConvGeometry } from './layers/conv-geometry.js';
export { conv2dBackpropInput, type InputGradStrategy } from './layers/conv2d-backprop-input.js';
export { conv2dBackpropFilter, type FilterGradStrategy } from './layers/conv2d-backprop-filter.js';
export { lazyGradOp } from './layers/lazy-grad-op.js';
export { setLayerGradients, layerGradients, type LayerGradients } from './layers/layer-gradients.js';
export { adamUpdate, hasFusedAdam, fusedAdamProblem, prepareWasmAdam, type AdamUpdateAttrs } from './optim/adam-kernel.js';
export { DenseLayer, Mlp, splitParams, type SideInput, type VariableFactory, type SeedSource } from './blocks/dense-layer.js';
export { ConvLayer, ConvTransposeLayer, checkFeatureMaps, stridedSizes } from './blocks/conv-layer.js';
export { checkTensorSize, tensorSizeProblem, formatBytes, tensorLimitBytes, TensorSizeError, MAX_TENSOR_ELEMENTS } from './blocks/tensor-budget.js';
export { SlotOptimizer, type Optimizer, type OptimizerFactory } from './optim/optimizer.js';
export { Adam, type AdamOptions } from './optim/adam.js';
export { Sgd, Rmsprop, type SgdOptions, type RmspropOptions } from './optim/sgd.js';
export { StepCompiler, type CompileMode, type CompilerLog } from './compiled/step-compiler.js';
export { stepCompiler, tidyStep, disposeTidyStep, compilerOf, autoMode, type AutoMode, type CompileSetting, type TidyStep } from './compiled/compile-setting.js';
export { compiledStepsProblem, nodeBackend } from './compiled/native-binding.js';
export {
  hostTensor,
  seededTensor,
  stepScalar,
  stepEffect,
  blockReplay,
  randomNormal,
  randomUniform,
  stepContext,
  withContext,
  type StepPlan,
  type HostMaker,
} from './compiled/host-inputs.js';
