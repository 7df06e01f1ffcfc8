/** The safetensors element types peftjs reads and writes. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** The typed array a {@link TensorEntry} holds; which one depends on the dtype (see {@link TensorEntry}). */
export type TensorData = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | BigInt64Array;

/**
 * One tensor of a safetensors file, in row-major (C) order.
 *
 * | dtype | data |
 * |---|---|
 * | F64 | Float64Array |
 * | F32, F16, BF16 | Float32Array (F16/BF16 are decoded on read and rounded to nearest-even on write) |
 * | I64 | BigInt64Array |
 * | I32 / I16 / I8 | Int32Array / Int16Array / Int8Array |
 * | U8 | Uint8Array |
 * | BOOL | Uint8Array of 0/1 (any non-zero byte is written as 1) |
 */
export interface TensorEntry {
  /** The element type in the file. */
  dtype: SafetensorsDtype;
  /** Sizes per axis; `[]` for a scalar. */
  shape: number[];
  /** The elements, row-major; its length is the product of `shape`. */
  data: TensorData;
}

interface DtypeSpec {
  /** Bytes per element in the file. */
  readonly itemSize: number;
  /**
   * Position in safetensors' `Dtype` enum (tensor.rs), which is ordered by increasing alignment.
   * The writer places tensors by descending rank, then by name, exactly as `prepare()` does.
   */
  readonly rank: number;
  /** `Symbol.toStringTag` of the typed array that holds this dtype in memory. */
  readonly arrayTag: string;
}

// Ranks follow the Rust enum order BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32,
// F32, F64, I64, U64 (the gaps are the dtypes peftjs does not support).
const DTYPES: Readonly<Record<SafetensorsDtype, DtypeSpec>> = {
  BOOL: { itemSize: 1, rank: 0, arrayTag: 'Uint8Array' },
  U8: { itemSize: 1, rank: 1, arrayTag: 'Uint8Array' },
  I8: { itemSize: 1, rank: 2, arrayTag: 'Int8Array' },
  I16: { itemSize: 2, rank: 5, arrayTag: 'Int16Array' },
  F16: { itemSize: 2, rank: 7, arrayTag: 'Float32Array' },
  BF16: { itemSize: 2, rank: 8, arrayTag: 'Float32Array' },
  I32: { itemSize: 4, rank: 9, arrayTag: 'Int32Array' },
  F32: { itemSize: 4, rank: 11, arrayTag: 'Float32Array' },
  F64: { itemSize: 8, rank: 12, arrayTag: 'Float64Array' },
  I64: { itemSize: 8, rank: 13, arrayTag: 'BigInt64Array' },
};

/** Dtypes that exist in the safetensors format but that peftjs does not read (named in error messages). */
const OTHER_FORMAT_DTYPES = new Set([
  'U16',
  'U32',
  'U64',
  'F8_E5M2',
  'F8_E4M3',
  'F8_E8M0',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'C64',
]);

/** Every dtype peftjs supports, in the writer's data order (largest alignment first). */
export const SAFETENSORS_DTYPES: readonly SafetensorsDtype[] = (Object.keys(DTYPES) as SafetensorsDtype[]).sort(
  (a, b) => DTYPES[b].rank - DTYPES[a].rank,
);

/** True for the dtypes in {@link SafetensorsDtype} (case-sensitive: `F32`, not `f32`). */
export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(DTYPES, value);
}

/** True for dtypes the safetensors format defines but peftjs cannot hold (U16, U32, U64, FP8...). */
export function isOtherFormatDtype(value: string): boolean {
  return OTHER_FORMAT_DTYPES.has(value);
}

/** Bytes per element of `dtype` in a file. */
export function dtypeItemSize(dtype: SafetensorsDtype): number {
  return DTYPES[dtype].itemSize;
}

/** Sort key of `dtype` in the writer's data order (higher rank is written first). */
export function dtypeRank(dtype: SafetensorsDtype): number {
  return DTYPES[dtype].rank;
}

/** Name of the typed array class that holds `dtype` in memory, e.g. `Float32Array` for BF16. */
export function dtypeArrayName(dtype: SafetensorsDtype): string {
  return DTYPES[dtype].arrayTag;
}

/** True when this platform stores multi-byte numbers little-endian, as safetensors files do. */
export const PLATFORM_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
