import { dtypeItemSize, isOtherFormatDtype, isSafetensorsDtype, SAFETENSORS_DTYPES } from './dtypes';
import type { SafetensorsDtype } from './dtypes';
import { MAX_HEADER_BYTES, SafetensorsError } from './errors';
import { parseJson } from './json';
import type { JsonValue } from './json';
import { setOwn } from './strings';

/** Where one tensor lives in the data section (offsets relative to the data section, as in the file). */
export interface TensorLayout {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/** A validated header: tensors in data order, plus the `__metadata__` map (empty when absent). */
export interface ParsedHeader {
  readonly tensors: readonly TensorLayout[];
  readonly metadata: Record<string, string>;
}

/** Bytes before the JSON header: a little-endian u64 holding the header's byte length. */
export const LENGTH_PREFIX_BYTES = 8;

/**
 * Reads and checks the header length from the first 8 bytes of a file of `totalLength` bytes.
 * Checked before anything is allocated from it: a hostile length can neither exceed the cap nor
 * point past the end of the file.
 */
export function readHeaderLength(prefix: Uint8Array, totalLength: number): number {
  if (totalLength < LENGTH_PREFIX_BYTES || prefix.length < LENGTH_PREFIX_BYTES) {
    throw new SafetensorsError(
      'TRUNCATED',
      `file is ${totalLength} bytes, but a safetensors file starts with an 8-byte header length; the file is truncated or empty`,
    );
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, LENGTH_PREFIX_BYTES);
  const claimed = view.getBigUint64(0, true);
  if (claimed > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(
      'HEADER_TOO_LARGE',
      `header length field says ${claimed} bytes, more than the ${MAX_HEADER_BYTES}-byte limit of the safetensors format; ` +
        'the file is corrupt or not a safetensors file',
    );
  }
  const headerLength = Number(claimed);
  if (LENGTH_PREFIX_BYTES + headerLength > totalLength) {
    throw new SafetensorsError(
      'TRUNCATED',
      `header length field says ${headerLength} bytes, but only ${totalLength - LENGTH_PREFIX_BYTES} bytes follow it; ` +
        'the file is truncated or not a safetensors file',
    );
  }
  return headerLength;
}

/** Parses the JSON header and validates every tensor against a data section of `dataLength` bytes. */
export function parseHeader(headerBytes: Uint8Array, dataLength: number): ParsedHeader {
  let text: string;
  try {
    // ignoreBOM keeps a leading BOM in the text, so that it is rejected as JSON (as serde_json does).
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError(
      'BAD_HEADER_JSON',
      'header is not valid UTF-8; the file is corrupt or not a safetensors file',
    );
  }
  const root = parseJson(text);
  if (!(root instanceof Map)) {
    throw new SafetensorsError(
      'BAD_HEADER_JSON',
      `header must be a JSON object of tensor entries, found ${describe(root)}; the file is corrupt or not a safetensors file`,
    );
  }
  const metadata: Record<string, string> = {};
  const tensors: TensorLayout[] = [];
  for (const [name, info] of root) {
    if (name === '__metadata__') readMetadata(info, metadata);
    else tensors.push(readTensorInfo(name, info));
  }
  checkLayout(tensors, dataLength);
  return { tensors, metadata };
}

function readMetadata(value: JsonValue, into: Record<string, string>): void {
  if (value === null) return; // serde reads `null` as "no metadata"
  if (!(value instanceof Map)) {
    throw new SafetensorsError(
      'BAD_METADATA',
      `"__metadata__" must be an object of string values, found ${describe(value)}`,
    );
  }
  for (const [key, v] of value) {
    if (typeof v !== 'string') {
      throw new SafetensorsError(
        'BAD_METADATA',
        `"__metadata__" value for key ${JSON.stringify(key)} must be a string, found ${describe(v)}`,
      );
    }
    setOwn(into, key, v);
  }
}

function readTensorInfo(name: string, info: JsonValue): TensorLayout {
  const label = `tensor ${JSON.stringify(name)}`;
  if (!(info instanceof Map)) {
    throw new SafetensorsError(
      'BAD_TENSOR_INFO',
      `${label}: header entry must be an object {"dtype", "shape", "data_offsets"}, found ${describe(info)}`,
    );
  }
  const dtype = info.get('dtype');
  const shape = info.get('shape');
  const offsets = info.get('data_offsets');
  if (dtype === undefined || shape === undefined || offsets === undefined) {
    const missing = ['dtype', 'shape', 'data_offsets'].filter((k) => !info.has(k));
    throw new SafetensorsError('BAD_TENSOR_INFO', `${label}: header entry lacks ${missing.join(', ')}`);
  }
  if (typeof dtype !== 'string') {
    throw new SafetensorsError('BAD_TENSOR_INFO', `${label}: "dtype" must be a string, found ${describe(dtype)}`);
  }
  if (!isSafetensorsDtype(dtype)) {
    const why = isOtherFormatDtype(dtype)
      ? 'is a safetensors dtype that peftjs does not read'
      : 'is not a safetensors dtype';
    throw new SafetensorsError(
      'UNKNOWN_DTYPE',
      `${label}: dtype ${JSON.stringify(dtype)} ${why}; supported: ${SAFETENSORS_DTYPES.join(', ')}`,
    );
  }
  if (!Array.isArray(shape)) {
    throw new SafetensorsError('BAD_TENSOR_INFO', `${label}: "shape" must be an array, found ${describe(shape)}`);
  }
  const dims: number[] = [];
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new SafetensorsError(
        'BAD_SHAPE',
        `${label}: shape ${short(shape)} has dimension ${describe(d)}; dimensions must be non-negative integers`,
      );
    }
    dims.push(d);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    throw new SafetensorsError('BAD_OFFSETS', `${label}: "data_offsets" must be [begin, end], found ${short(offsets)}`);
  }
  const [begin, end] = offsets;
  if (!isOffset(begin) || !isOffset(end) || end < begin) {
    throw new SafetensorsError(
      'BAD_OFFSETS',
      `${label}: "data_offsets" ${short(offsets)} must be two non-negative integers with begin <= end`,
    );
  }
  const elements = elementCount(dims, label);
  const itemSize = dtypeItemSize(dtype);
  if (elements * itemSize !== end - begin) {
    throw new SafetensorsError(
      'SHAPE_MISMATCH',
      `${label}: dtype ${dtype} with shape [${dims.join(', ')}] needs ${elements} x ${itemSize} = ${elements * itemSize} bytes, ` +
        `but data_offsets [${begin}, ${end}] span ${end - begin} bytes`,
    );
  }
  return { name, dtype, shape: dims, begin, end };
}

/** Product of `dims`, refusing counts past 2^53 (the file would be petabytes; Rust's ValidationOverflow). */
export function elementCount(dims: readonly number[], label: string): number {
  if (dims.includes(0)) return 0;
  let count = 1;
  for (const d of dims) {
    count *= d;
    if (count * 8 > Number.MAX_SAFE_INTEGER) {
      throw new SafetensorsError('BAD_SHAPE', `${label}: shape [${dims.join(', ')}] has too many elements to address`);
    }
  }
  return count;
}

/** Tensors must tile the data section exactly: from 0, no gaps, no overlaps, nothing after. */
function checkLayout(tensors: TensorLayout[], dataLength: number): void {
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let previous: TensorLayout | undefined;
  for (const t of tensors) {
    if (t.begin < expected && previous !== undefined) {
      throw new SafetensorsError(
        'OVERLAP',
        `tensor ${JSON.stringify(t.name)} (data_offsets [${t.begin}, ${t.end}]) overlaps tensor ` +
          `${JSON.stringify(previous.name)} (data_offsets [${previous.begin}, ${previous.end}]); the file is corrupt`,
      );
    }
    if (t.begin > expected) {
      throw new SafetensorsError(
        'BAD_OFFSETS',
        `tensor ${JSON.stringify(t.name)} starts at data byte ${t.begin}, but the previous tensor ends at ${expected}; ` +
          `bytes [${expected}, ${t.begin}) belong to no tensor (safetensors requires contiguous data)`,
      );
    }
    if (t.end > dataLength) {
      throw new SafetensorsError(
        'TRUNCATED',
        `tensor ${JSON.stringify(t.name)} needs data bytes [${t.begin}, ${t.end}), but the data section holds only ` +
          `${dataLength} bytes; the file is truncated`,
      );
    }
    expected = t.end;
    previous = t;
  }
  if (expected !== dataLength) {
    throw new SafetensorsError(
      'TRAILING_DATA',
      `the data section holds ${dataLength} bytes, but the tensors end at byte ${expected}; ` +
        `${dataLength - expected} trailing bytes belong to no tensor (the file is corrupt or was appended to)`,
    );
  }
}

function isOffset(v: JsonValue | undefined): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function describe(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (v instanceof Map) return 'an object';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  return `${typeof v} ${String(v)}`;
}

function short(v: JsonValue | undefined): string {
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) {
    const shown = v.slice(0, 8).join(', ');
    return `[${shown}${v.length > 8 ? ', ...' : ''}]`;
  }
  return describe(v);
}
