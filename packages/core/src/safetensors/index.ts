export { SafetensorsError, MAX_HEADER_BYTES } from './errors';
export type { SafetensorsErrorKind, SafetensorsErrorCode } from './errors';
export { SAFETENSORS_DTYPES, isSafetensorsDtype, dtypeItemSize } from './dtypes';
export type { SafetensorsDtype, TensorEntry, TensorData } from './dtypes';
export { encodeSafetensors } from './encode';
export { decodeSafetensors } from './decode';
export type { DecodedSafetensors } from './decode';
