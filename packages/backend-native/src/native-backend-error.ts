/** Why the native backend is unavailable; `code` is stable (same `E_` form as `PeftjsError`), `installHint` is the command that fixes it. */
export type NativeBackendErrorCode = 'E_NATIVE_NOT_BUILT' | 'E_NATIVE_LOAD_FAILED' | 'E_NATIVE_BAD_OPTION';

/**
 * Thrown when `@peftjs/backend-native` cannot run: the addon was not built at install time (no
 * compiler or no BLAS), or it was built but its shared library cannot be loaded. The message is one
 * line ending in what to do.
 */
export class NativeBackendError extends Error {
  /** Always `'NativeBackendError'`. */
  override readonly name = 'NativeBackendError';
  /** Stable reason to branch on; see {@link NativeBackendErrorCode}. */
  readonly code: NativeBackendErrorCode;
  /** The shell command that fixes it (the apt line and `npm rebuild`), when one does. */
  readonly installHint: string | undefined;

  constructor(code: NativeBackendErrorCode, message: string, installHint?: string) {
    super(message);
    this.code = code;
    this.installHint = installHint;
  }
}
