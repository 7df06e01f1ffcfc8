// The `@peftjs/core/node` entry: safetensors files on disk (Node only). Everything else, and
// the in-memory codec these build on (`encodeSafetensors`, `decodeSafetensors`), is in `@peftjs/core`.
export { SafetensorsFile, readSafetensorsFile } from './safetensors/safetensors-file';
export type { SafetensorsTensorInfo } from './safetensors/safetensors-file';
export { writeSafetensorsFile } from './safetensors/write-file';
