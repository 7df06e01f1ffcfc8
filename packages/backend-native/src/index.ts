export {
  registerNativeBackend,
  nativeBackendInfo,
  setNativeThreads,
  NATIVE_BACKEND_NAME,
  NATIVE_KERNELS,
  FUSED_OPS,
} from './register-native-backend';
export type { NativeBackendOptions, NativeBackendInfo } from './register-native-backend';
export { NativeBackendError } from './native-backend-error';
export type { NativeBackendErrorCode } from './native-backend-error';
export { loadAddon, readBuildRecord, INSTALL_HINT } from './load-addon';
export type { BuildRecord } from './load-addon';
export { openblasCoreTypeFor } from './cpu-features';
export { BufferPool } from './buffer-pool';
export type { NativeAddon } from './native-addon';
export type { NativeKernelSpec, NativeKernel } from './kernels/kernel-types';
export type { FusedOp } from './fused/fused-types';
