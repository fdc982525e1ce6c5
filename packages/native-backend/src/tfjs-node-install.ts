/**
 * What `@tensorflow/tfjs-node`'s own installer (scripts/install.js and scripts/deps-constants.js of
 * tfjs-node 4.22.0) downloads, and the C API its binding links, restated so ELBO can provision the
 * same thing by other routes. Keep in step with the tfjs-node version in core's package.json.
 */

/** The tfjs-node release whose binding `elbo backend native` builds (core's optional dependency). */
export const TFJS_NODE_VERSION = '4.22.0';

/** `LIBTENSORFLOW_VERSION` in tfjs-node 4.22.0's deps-constants.js: the C library it downloads. */
export const LIBTENSORFLOW_VERSION = '2.9.1';

/** The TensorFlow wheel version `elbo backend native` was verified with (route 3, PyPI). */
export const VERIFIED_TENSORFLOW_WHEEL = '2.21.0';

/**
 * Every TensorFlow C symbol the tfjs-node 4.22.0 binding imports: `nm -D --undefined-only
 * tfjs_binding.node | grep -E ' U TFE?_'` on a binding built from its binding/*.cc (which include
 * tensorflow/c/c_api.h and tensorflow/c/eager/c_api.h). The TF_TString_* helpers it also calls are
 * inline functions of ctstring_internal.h, not imports.
 */
export const TFJS_NODE_C_API_SYMBOLS: readonly string[] = [
  'TFE_ContextListDevices',
  'TFE_DeleteContext',
  'TFE_DeleteContextOptions',
  'TFE_DeleteOp',
  'TFE_DeleteTensorHandle',
  'TFE_Execute',
  'TFE_NewContext',
  'TFE_NewContextOptions',
  'TFE_NewOp',
  'TFE_NewTensorHandle',
  'TFE_OpAddInput',
  'TFE_OpSetAttrBool',
  'TFE_OpSetAttrBoolList',
  'TFE_OpSetAttrFloat',
  'TFE_OpSetAttrFloatList',
  'TFE_OpSetAttrInt',
  'TFE_OpSetAttrIntList',
  'TFE_OpSetAttrShape',
  'TFE_OpSetAttrString',
  'TFE_OpSetAttrType',
  'TFE_TensorHandleCopyToDevice',
  'TFE_TensorHandleDataType',
  'TFE_TensorHandleDim',
  'TFE_TensorHandleNumDims',
  'TFE_TensorHandleResolve',
  'TF_AllocateTensor',
  'TF_DataTypeSize',
  'TF_DeleteBuffer',
  'TF_DeleteDeviceList',
  'TF_DeleteGraph',
  'TF_DeleteSession',
  'TF_DeleteSessionOptions',
  'TF_DeleteStatus',
  'TF_DeleteTensor',
  'TF_DeviceListCount',
  'TF_DeviceListName',
  'TF_DeviceListType',
  'TF_Dim',
  'TF_GetCode',
  'TF_GraphOperationByName',
  'TF_LoadSessionFromSavedModel',
  'TF_Message',
  'TF_NewBuffer',
  'TF_NewBufferFromString',
  'TF_NewGraph',
  'TF_NewSessionOptions',
  'TF_NewStatus',
  'TF_NewTensor',
  'TF_NumDims',
  'TF_SessionRun',
  'TF_TensorByteSize',
  'TF_TensorData',
  'TF_TensorElementCount',
  'TF_TensorType',
  'TF_Version',
];

/** The headers binding.gyp names (`tensorflow_headers`), relative to an include folder. */
export const TFJS_NODE_HEADERS: readonly string[] = ['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h'];

export type Env = Readonly<Record<string, string | undefined>>;

/** The mirror variables tfjs-node's install.js reads, in its order of precedence. */
export const MIRROR_VARIABLES = ['TFJS_NODE_BASE_URI', 'npm_config_TFJS_NODE_BASE_URI', 'TFJS_NODE_CDN_STORAGE', 'npm_config_TFJS_NODE_CDN_STORAGE', 'CDN_STORAGE'] as const;

const PLATFORM: Record<string, string> = { darwin: 'darwin', linux: 'linux', win32: 'windows' };
const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'arm64' };

/**
 * The libtensorflow URL tfjs-node 4.22.0's install.js downloads for a CPU build, from the same
 * variables with the same precedence:
 *
 *   CDN_STORAGE = TFJS_NODE_CDN_STORAGE || npm_config_TFJS_NODE_CDN_STORAGE || CDN_STORAGE
 *   BASE_HOST   = CDN_STORAGE || 'https://storage.googleapis.com/'
 *   BASE_URI    = TFJS_NODE_BASE_URI || npm_config_TFJS_NODE_BASE_URI || BASE_HOST + 'tensorflow/libtensorflow/libtensorflow-'
 *   URL         = BASE_URI + 'cpu-<platform>-<arch>-2.9.1.tar.gz'   (.zip on Windows)
 *
 * with its special cases for ARM (prebuilt archives under BASE_HOST/tf-builds/). The variables are
 * concatenated as given, so a CDN_STORAGE value must end with '/', as with tfjs-node.
 */
export function libtensorflowUrl(env: Env, platform: string = process.platform, arch: string = process.arch): string {
  const cdn = env['TFJS_NODE_CDN_STORAGE'] || env['npm_config_TFJS_NODE_CDN_STORAGE'] || env['CDN_STORAGE'];
  const baseHost = cdn || 'https://storage.googleapis.com/';
  const baseUri = env['TFJS_NODE_BASE_URI'] || env['npm_config_TFJS_NODE_BASE_URI'] || `${baseHost}tensorflow/libtensorflow/libtensorflow-`;
  if (platform === 'darwin' && arch === 'arm64') return `${baseHost}tf-builds/libtensorflow_r2_7_darwin_arm64_cpu.tar.gz`;
  if (platform === 'linux' && arch === 'arm') return `${baseHost}tf-builds/libtensorflow_r2_5_linux_arm7l.tar.gz`;
  if (platform === 'linux' && arch === 'arm64') return `${baseHost}tf-builds/libtensorflow_r2_7_linux_arm64.tar.gz`;
  const p = PLATFORM[platform];
  const a = ARCH[arch];
  if (!p || !a) throw new Error(`tfjs-node has no libtensorflow build for ${platform}-${arch}`);
  return `${baseUri}cpu-${p}-${a}-${LIBTENSORFLOW_VERSION}.${platform === 'win32' ? 'zip' : 'tar.gz'}`;
}

/** The mirror variables that are set, as `NAME=value` (empty: the installer would use Google's bucket). */
export function mirrorSettings(env: Env): string[] {
  return MIRROR_VARIABLES.filter((k) => env[k]).map((k) => `${k}=${env[k]}`);
}
