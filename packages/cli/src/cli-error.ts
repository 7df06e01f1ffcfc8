import { PeftjsError } from '@peftjs/core';

/** A user mistake on the command line (code `E_USAGE`): printed as one line (no stack trace) with exit code 2. */
export class CliError extends PeftjsError {
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
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
}
