/** Machine-readable reason for a {@link RankAllocatorError}. */
export type RankAllocatorErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_OPTIONS'
  | 'UNKNOWN_ALLOCATOR'
  | 'DUPLICATE_ALLOCATOR';

/** Every error this package throws; `layer` and `field` name the offending input when known. */
export class RankAllocatorError extends Error {
  readonly code: RankAllocatorErrorCode;
  readonly layer: string | undefined;
  readonly field: string | undefined;

  constructor(
    code: RankAllocatorErrorCode,
    message: string,
    where: { layer?: string; field?: string } = {},
  ) {
    super(message);
    this.name = 'RankAllocatorError';
    this.code = code;
    this.layer = where.layer;
    this.field = where.field;
  }
}
