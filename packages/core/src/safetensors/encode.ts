import {
  dtypeArrayName,
  dtypeItemSize,
  dtypeRank,
  isSafetensorsDtype,
  PLATFORM_LITTLE_ENDIAN,
  SAFETENSORS_DTYPES,
} from './dtypes';
import type { TensorEntry } from './dtypes';
import { MAX_HEADER_BYTES, SafetensorsError } from './errors';
import { writeHalfFloats } from './float16';
import { elementCount, LENGTH_PREFIX_BYTES } from './header';
import { compareCodePoints, isWellFormedUnicode } from './strings';

/** One tensor placed in the data section by {@link prepareSafetensors}. */
interface PlacedTensor {
  readonly name: string;
  readonly entry: TensorEntry;
  readonly begin: number;
  readonly end: number;
}

/** Everything before the data section, and where each tensor's bytes go after it. */
export interface PreparedSafetensors {
  /** The 8-byte length prefix followed by the space-padded JSON header. */
  readonly head: Uint8Array;
  /** Tensors in data order. */
  readonly tensors: readonly PlacedTensor[];
  /** Total bytes of the data section. */
  readonly dataLength: number;
}

/**
 * Validates the tensors and lays them out exactly as the Python `safetensors` library does
 * (`prepare()` in safetensors/src/tensor.rs): tensors sorted by descending dtype alignment, then by
 * name; contiguous `data_offsets` from 0; `__metadata__` first in the JSON header (present only when
 * `metadata` is given); compact JSON; header padded with spaces to a multiple of 8 bytes so that the
 * data section starts 8-byte aligned. Metadata keys are sorted by code point (Python's order for
 * them is unspecified hash-map order).
 */
export function prepareSafetensors(
  tensors: Record<string, TensorEntry>,
  metadata?: Record<string, string>,
): PreparedSafetensors {
  const names = Object.keys(tensors);
  for (const name of names) checkEntry(name, tensors[name]);
  const entries = names.map((name) => ({ name, entry: tensors[name] as TensorEntry }));
  entries.sort((a, b) => dtypeRank(b.entry.dtype) - dtypeRank(a.entry.dtype) || compareCodePoints(a.name, b.name));

  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${metadataJson(metadata)}`);
  const placed: PlacedTensor[] = [];
  let offset = 0;
  for (const { name, entry } of entries) {
    const end = offset + entry.data.length * dtypeItemSize(entry.dtype);
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${entry.dtype}","shape":[${entry.shape.join(',')}],"data_offsets":[${offset},${end}]}`,
    );
    placed.push({ name, entry, begin: offset, end });
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new SafetensorsError(
      'HEADER_TOO_LARGE',
      `the JSON header would be ${headerLength} bytes, over the ${MAX_HEADER_BYTES}-byte limit readers enforce; ` +
        'use fewer tensors, shorter names or less metadata, or split the checkpoint into shards',
    );
  }
  const head = new Uint8Array(LENGTH_PREFIX_BYTES + headerLength).fill(0x20);
  new DataView(head.buffer).setBigUint64(0, BigInt(headerLength), true);
  head.set(json, LENGTH_PREFIX_BYTES);
  return { head, tensors: placed, dataLength: offset };
}

/**
 * Serializes tensors (and optional string metadata) to safetensors bytes, byte-identical to what the
 * Python `safetensors` library writes for the same tensors. F16/BF16 are rounded from Float32Array
 * to nearest-even.
 *
 * @throws SafetensorsError for an empty or reserved name, an unknown dtype, a bad shape, or data whose
 * typed array or length does not match the dtype and shape.
 */
export function encodeSafetensors(tensors: Record<string, TensorEntry>, metadata?: Record<string, string>): Uint8Array {
  const prepared = prepareSafetensors(tensors, metadata);
  const start = prepared.head.length;
  const out = new Uint8Array(start + prepared.dataLength);
  out.set(prepared.head, 0);
  for (const t of prepared.tensors) writeTensorBytes(t.entry, out.subarray(start + t.begin, start + t.end));
  return out;
}

/** Writes one (already validated) tensor's little-endian bytes into `out`, which has exactly its size. */
function writeTensorBytes(entry: TensorEntry, out: Uint8Array): void {
  const { dtype, data } = entry;
  if (data instanceof Float32Array && (dtype === 'F16' || dtype === 'BF16')) {
    writeHalfFloats(data, out, dtype === 'BF16');
    return;
  }
  if (dtype === 'BOOL') {
    for (let i = 0; i < data.length; i++) out[i] = data[i] ? 1 : 0;
    return;
  }
  if (PLATFORM_LITTLE_ENDIAN || data.BYTES_PER_ELEMENT === 1) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] ?? 0;
    if (typeof v === 'bigint') view.setBigInt64(8 * i, v, true);
    else if (dtype === 'F64') view.setFloat64(8 * i, v, true);
    else if (dtype === 'F32') view.setFloat32(4 * i, v, true);
    else if (dtype === 'I32') view.setInt32(4 * i, v, true);
    else view.setInt16(2 * i, v, true);
  }
}

/** Returns one tensor's file bytes, viewing `data` when no conversion is needed (little-endian hosts). */
export function tensorFileBytes(entry: TensorEntry): Uint8Array {
  const { dtype, data } = entry;
  const plain = dtype !== 'F16' && dtype !== 'BF16' && dtype !== 'BOOL';
  if (plain && (PLATFORM_LITTLE_ENDIAN || data.BYTES_PER_ELEMENT === 1)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const out = new Uint8Array(data.length * dtypeItemSize(dtype));
  writeTensorBytes(entry, out);
  return out;
}

function checkEntry(name: string, entry: TensorEntry | undefined): asserts entry is TensorEntry {
  const label = `tensor ${JSON.stringify(name)}`;
  if (name === '' || name === '__metadata__' || !isWellFormedUnicode(name)) {
    throw new SafetensorsError(
      'BAD_NAME',
      `${label}: names must be non-empty Unicode text other than "__metadata__" (reserved for the metadata map); rename the tensor`,
    );
  }
  if (typeof entry !== 'object' || entry === null) {
    throw new SafetensorsError('BAD_DATA', `${label}: expected { dtype, shape, data }, got ${String(entry)}`);
  }
  const { dtype, shape, data } = entry;
  if (!isSafetensorsDtype(dtype)) {
    throw new SafetensorsError(
      'UNKNOWN_DTYPE',
      `${label}: dtype ${JSON.stringify(dtype)} is not one of ${SAFETENSORS_DTYPES.join(', ')}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(
      'BAD_SHAPE',
      `${label}: shape ${JSON.stringify(shape)} must be an array of non-negative integers`,
    );
  }
  const expectedArray = dtypeArrayName(dtype);
  // Compare by tag, not instanceof, so typed arrays from another realm (worker, vm) are accepted.
  const actualArray = ArrayBuffer.isView(data) ? Object.prototype.toString.call(data).slice(8, -1) : undefined;
  if (actualArray !== expectedArray) {
    throw new SafetensorsError(
      'BAD_DATA',
      `${label}: dtype ${dtype} is held in a ${expectedArray}, but data is ${actualArray ?? typeof data}; ` +
        `convert it first (e.g. ${expectedArray}.from(data))`,
    );
  }
  const elements = elementCount(shape, label);
  if (elements !== data.length) {
    throw new SafetensorsError(
      'SHAPE_MISMATCH',
      `${label}: shape [${shape.join(', ')}] has ${elements} elements, but data holds ${data.length}`,
    );
  }
}

function metadataJson(metadata: Record<string, string>): string {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new SafetensorsError('BAD_METADATA', `metadata must be an object of string values, got ${String(metadata)}`);
  }
  const keys = Object.keys(metadata).sort(compareCodePoints);
  const fields = keys.map((key) => {
    const value: unknown = metadata[key];
    if (typeof value !== 'string') {
      throw new SafetensorsError(
        'BAD_METADATA',
        `metadata value for key ${JSON.stringify(key)} must be a string (safetensors stores only strings), ` +
          `got ${typeof value}; use String(value) or JSON.stringify(value)`,
      );
    }
    if (!isWellFormedUnicode(key) || !isWellFormedUnicode(value)) {
      throw new SafetensorsError(
        'BAD_METADATA',
        `metadata key ${JSON.stringify(key)}: key and value must be valid Unicode text`,
      );
    }
    return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  });
  return `{${fields.join(',')}}`;
}
