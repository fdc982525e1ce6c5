export { backendReport, formatBackendReport, type BackendReport, type BackendStatus } from './backend-report.js';
export { provisionNative, remeasureStepModes, readNativeRecord, defaultNativeCache, type ProvisionOptions, type ProvisionResult, type NativeRecord } from './provision-native.js';
export { TFJS_NODE_VERSION, LIBTENSORFLOW_VERSION, VERIFIED_TENSORFLOW_WHEEL, libtensorflowUrl } from './tfjs-node-install.js';
export { measureModes, chooseMode, measureStepModes, REFERENCE_SIZES, MODE_TOLERANCE, type StepMode, type ModeMeasurement, type ModeChoice } from './step-modes.js';
