/**
 * The base of every error peftjs throws on purpose.
 *
 * Callers branch on the stable {@link PeftjsError.code} (for example `E_CONFIG`, `E_CHECKPOINT`,
 * `E_SAFETENSORS_TRUNCATED`, `E_TOKEN_RANGE`), never on a message or on a class name from another
 * package. The message is one line that says what was wrong and what to do. Anything thrown that is
 * not a `PeftjsError` is an internal bug. Modelled on the Vercel AI SDK's `AISDKError`.
 */
export class PeftjsError extends Error {
  /** A stable, upper-case code, `E_` followed by the kind of defect; part of the public API. */
  readonly code: string;

  /**
   * @param code - stable code, matching `/^E_[A-Z0-9_]+$/`.
   * @param message - one line: what was wrong and what to do.
   * @param options - `cause`: the underlying error, kept for `--verbose` output.
   * @throws TypeError when `code` does not match `/^E_[A-Z0-9_]+$/` (a bug in the caller).
   */
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    if (!/^E_[A-Z0-9_]+$/.test(code)) throw new TypeError(`PeftjsError code "${code}" must match /^E_[A-Z0-9_]+$/`);
    this.name = 'PeftjsError';
    this.code = code;
  }
}

/** True for any error peftjs threw on purpose (works across duplicate copies of `@peftjs/core`). */
export function isPeftjsError(error: unknown): error is PeftjsError {
  if (error instanceof PeftjsError) return true;
  if (!(error instanceof Error) || !('code' in error)) return false;
  const { code } = error;
  return typeof code === 'string' && /^E_[A-Z0-9_]+$/.test(code);
}
