import { PeftjsError } from '../peftjs-error';

/**
 * Why a safetensors buffer or file was rejected. Each kind names one defect; the error's stable
 * `code` is `E_SAFETENSORS_<kind>` (for example `E_SAFETENSORS_TRUNCATED`), and the message names
 * the tensor and what was expected versus found.
 */
export type SafetensorsErrorKind =
  /** The buffer ends before the 8-byte length, the header, or a tensor's data. */
  | 'TRUNCATED'
  /** The header length field claims more than {@link MAX_HEADER_BYTES} bytes. */
  | 'HEADER_TOO_LARGE'
  /** The header is not UTF-8, not JSON, or not a JSON object. */
  | 'BAD_HEADER_JSON'
  /** The same key appears twice in one JSON object of the header. */
  | 'DUPLICATE_KEY'
  /** A tensor entry is not `{ dtype, shape, data_offsets }` with the right JSON types. */
  | 'BAD_TENSOR_INFO'
  /** `data_offsets` are not integers, end before they begin, leave a gap, or point past the data. */
  | 'BAD_OFFSETS'
  /** Two tensors claim some of the same bytes. */
  | 'OVERLAP'
  /** Bytes follow the last tensor's end offset (the Python library rejects these files too). */
  | 'TRAILING_DATA'
  /** A dtype that safetensors does not define, or one peftjs does not read (U16, U32, U64, F8_*). */
  | 'UNKNOWN_DTYPE'
  /** A dimension is negative, fractional, or the element count overflows. */
  | 'BAD_SHAPE'
  /** The element count times the item size differs from the byte count (file) or data length (encode). */
  | 'SHAPE_MISMATCH'
  /** `__metadata__` is not an object of string values, or a metadata key/value is not a string. */
  | 'BAD_METADATA'
  /** A tensor name is empty, `__metadata__`, or not valid Unicode. */
  | 'BAD_NAME'
  /** The typed array given for a tensor does not match its dtype (e.g. Int32Array for F32). */
  | 'BAD_DATA'
  /** `SafetensorsFile.read`/`info` was asked for a name that the file does not hold. */
  | 'UNKNOWN_TENSOR'
  /** A `SafetensorsFile` was used after `close()`. */
  | 'CLOSED';

/** The header size cap of the reference implementation (`MAX_HEADER_SIZE` in safetensors' tensor.rs). */
export const MAX_HEADER_BYTES = 100_000_000;

/** The former name of {@link SafetensorsErrorKind}. @deprecated Use `SafetensorsErrorKind`; `error.code` is now `E_SAFETENSORS_<kind>`. */
export type SafetensorsErrorCode = SafetensorsErrorKind;

/**
 * The only error type thrown for malformed safetensors input or invalid tensors to encode.
 * `code` is `E_SAFETENSORS_<kind>`; `kind` is the defect alone (`TRUNCATED`, `BAD_OFFSETS`, ...).
 */
export class SafetensorsError extends PeftjsError {
  /** The defect, without the `E_SAFETENSORS_` prefix. */
  readonly kind: SafetensorsErrorKind;
  declare readonly code: `E_SAFETENSORS_${SafetensorsErrorKind}`;

  /**
   * @param kind - the defect.
   * @param message - what was wrong, naming the tensor; prefixed with `[kind]`.
   */
  constructor(kind: SafetensorsErrorKind, message: string) {
    super(`E_SAFETENSORS_${kind}`, `[${kind}] ${message}`);
    this.name = 'SafetensorsError';
    this.kind = kind;
  }
}
