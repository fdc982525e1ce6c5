export { backendReport, formatBackendReport, type BackendReport, type BackendStatus } from './backend-report.js';
export { provisionNative, readNativeRecord, defaultNativeCache, type ProvisionOptions, type ProvisionResult, type NativeRecord } from './provision-native.js';
export { TFJS_NODE_VERSION, LIBTENSORFLOW_VERSION, VERIFIED_TENSORFLOW_WHEEL, libtensorflowUrl } from './tfjs-node-install.js';
