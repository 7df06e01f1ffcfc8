/** Why the native backend is unavailable; `code` is stable (same `E_` form as `PeftjsError`), `installHint` is the command that fixes it. */
export type NativeBackendErrorCode = 'E_NATIVE_NOT_BUILT' | 'E_NATIVE_LOAD_FAILED' | 'E_NATIVE_BAD_OPTION';

/**
 * Thrown when `@peftjs/backend-native` cannot run: the addon was not built at install time (no
 * compiler or no BLAS), or it was built but its shared library cannot be loaded. The message is one
 * line ending in what to do.
 */
export class NativeBackendError extends Error {
  override readonly name = 'NativeBackendError';
  readonly code: NativeBackendErrorCode;
  readonly installHint: string | undefined;

  constructor(code: NativeBackendErrorCode, message: string, installHint?: string) {
    super(message);
    this.code = code;
    this.installHint = installHint;
  }
}
