import { PeftjsError } from '@peftjs/core';

/** A user mistake on the command line (code `E_USAGE`): printed as one line (no stack trace) with exit code 2. */
export class CliError extends PeftjsError {
  /** Always `'CliError'`. */
  override readonly name = 'CliError';
  /**
   * @param message - what was wrong with the command line and what to do.
   * @param exitCode - the process exit code (2: a usage error).
   */
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super('E_USAGE', message);
  }
}

/** Where the CLI writes: `process.stdout`/`process.stderr`, or anything with a `write` (tests capture it). */
export interface CliIo {
  /** Command output: help, tables, generated text. */
  readonly stdout: {
    /** Writes `text` as given (no newline added). */
    write(text: string): unknown;
    /** True for a terminal; progress then redraws one line instead of appending lines. */
    isTTY?: boolean;
  };
  /** Progress and one-line error messages. */
  readonly stderr: {
    /** Writes `text` as given (no newline added). */
    write(text: string): unknown;
    /** True for a terminal; progress then redraws one line instead of appending lines. */
    isTTY?: boolean;
  };
}
