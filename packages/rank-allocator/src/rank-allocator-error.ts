/** Machine-readable reason for a {@link RankAllocatorError}; its `code` is `E_RANK_ALLOCATOR_<kind>`. */
export type RankAllocatorErrorKind = 'INVALID_INPUT' | 'INVALID_OPTIONS' | 'UNKNOWN_ALLOCATOR' | 'DUPLICATE_ALLOCATOR';

/** The former name of {@link RankAllocatorErrorKind}. @deprecated Use `RankAllocatorErrorKind`; `error.code` is now `E_RANK_ALLOCATOR_<kind>`. */
export type RankAllocatorErrorCode = RankAllocatorErrorKind;

/**
 * Every error this package throws; `layer` and `field` name the offending input when known.
 *
 * This package has no run-time dependency (not even `@peftjs/core`), so it does not import
 * `PeftjsError`; it has the same shape instead (`name`, a stable `code` matching `/^E_[A-Z0-9_]+$/`,
 * a one-line message), so core's `isPeftjsError` recognises it and the CLI reports it as a user error.
 */
export class RankAllocatorError extends Error {
  /** Stable code: `E_RANK_ALLOCATOR_<kind>`. */
  readonly code: `E_RANK_ALLOCATOR_${RankAllocatorErrorKind}`;
  /** The reason alone (`INVALID_INPUT`, ...). */
  readonly kind: RankAllocatorErrorKind;
  /** The layer name at fault, when one is. */
  readonly layer: string | undefined;
  /** The input or option field at fault (`maxRank`, `budget`, ...), when one is. */
  readonly field: string | undefined;

  /**
   * @param kind - the reason.
   * @param message - one line: what was wrong and what to do.
   * @param where - the offending layer and/or field, when known.
   */
  constructor(kind: RankAllocatorErrorKind, message: string, where: { layer?: string; field?: string } = {}) {
    super(message);
    this.name = 'RankAllocatorError';
    this.code = `E_RANK_ALLOCATOR_${kind}`;
    this.kind = kind;
    this.layer = where.layer;
    this.field = where.field;
  }
}
