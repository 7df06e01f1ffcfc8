import { dtypeItemSize, PLATFORM_LITTLE_ENDIAN } from './dtypes';
import type { SafetensorsDtype, TensorData, TensorEntry } from './dtypes';
import { LENGTH_PREFIX_BYTES, parseHeader, readHeaderLength } from './header';
import { readHalfFloats } from './float16';
import { setOwn } from './strings';

/** The contents of a safetensors file. */
export interface DecodedSafetensors {
  /** Every tensor by its name in the header. */
  tensors: Record<string, TensorEntry>;
  /** The `__metadata__` map; empty when the file has none. */
  metadata: Record<string, string>;
}

/**
 * Decodes a whole safetensors file held in memory. Every tensor gets its own copy of its bytes (the
 * result never aliases `bytes`). F16/BF16 are decoded to Float32Array with `dtype` kept. `bytes` may be
 * any view: a Node `Buffer` from `fs.readFileSync` (a slice of a shared pool) or a `subarray` at a
 * non-zero offset; only the `byteLength` bytes from its `byteOffset` are read.
 *
 * @throws SafetensorsError for any malformed input (truncation, bad header, bad offsets, ...).
 */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  const headerLength = readHeaderLength(bytes, bytes.length);
  const dataStart = LENGTH_PREFIX_BYTES + headerLength;
  const header = parseHeader(bytes.subarray(LENGTH_PREFIX_BYTES, dataStart), bytes.length - dataStart);
  const tensors: Record<string, TensorEntry> = {};
  for (const t of header.tensors) {
    const raw = bytes.subarray(dataStart + t.begin, dataStart + t.end);
    setOwn(tensors, t.name, { dtype: t.dtype, shape: t.shape, data: decodeTensorData(t.dtype, raw, false) });
  }
  return { tensors, metadata: header.metadata };
}

/**
 * A fresh `Uint8Array` holding a copy of exactly the bytes `raw` views. Not `raw.slice()`: on a Node
 * `Buffer` (a view into a shared pool, often at a non-zero `byteOffset`) `slice` returns another view,
 * whose `.buffer` is the whole pool, so reading `.buffer` from offset 0 read the wrong bytes.
 */
function copyBytes(raw: Uint8Array): Uint8Array {
  return new Uint8Array(raw);
}

/**
 * Turns one tensor's little-endian bytes into its typed array. When `owned` is true the caller hands
 * over `raw` (a fresh buffer), and the result may view it instead of copying.
 */
export function decodeTensorData(dtype: SafetensorsDtype, raw: Uint8Array, owned: boolean): TensorData {
  switch (dtype) {
    case 'F16':
      return readHalfFloats(raw, false);
    case 'BF16':
      return readHalfFloats(raw, true);
    case 'BOOL': {
      const out = owned ? raw : new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) out[i] = raw[i] === 0 ? 0 : 1;
      return out;
    }
    case 'U8':
      return owned ? raw : copyBytes(raw);
    case 'I8':
      return owned ? new Int8Array(raw.buffer, raw.byteOffset, raw.length) : new Int8Array(copyBytes(raw).buffer);
    default:
      return decodeMultiByte(dtype, raw, owned);
  }
}

function decodeMultiByte(dtype: 'I16' | 'I32' | 'F32' | 'F64' | 'I64', raw: Uint8Array, owned: boolean): TensorData {
  const itemSize = dtypeItemSize(dtype);
  const count = raw.length / itemSize;
  if (PLATFORM_LITTLE_ENDIAN) {
    // A typed array view needs an offset that is a multiple of the item size, so copy unless aligned.
    const aligned = owned && raw.byteOffset % itemSize === 0;
    const buffer = aligned ? raw.buffer : copyBytes(raw).buffer;
    const offset = aligned ? raw.byteOffset : 0;
    switch (dtype) {
      case 'I16':
        return new Int16Array(buffer, offset, count);
      case 'I32':
        return new Int32Array(buffer, offset, count);
      case 'F32':
        return new Float32Array(buffer, offset, count);
      case 'F64':
        return new Float64Array(buffer, offset, count);
      case 'I64':
        return new BigInt64Array(buffer, offset, count);
    }
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'I16':
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(2 * i, true));
    case 'I32':
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
    case 'F32':
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
    case 'F64':
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, true));
    case 'I64': {
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getBigInt64(8 * i, true);
      return out;
    }
  }
}
