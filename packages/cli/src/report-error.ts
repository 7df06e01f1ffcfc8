import { isPeftjsError } from '@peftjs/core';
import type { CliIo } from './cli-error';

/** Exit code for an error peftjs threw on purpose (bad input, config or files). */
const USER_ERROR_EXIT = 2;
/** Exit code for anything else: a bug in peftjs or a dependency. */
const INTERNAL_ERROR_EXIT = 1;

/**
 * Prints an error the way every `peftjs` command does and returns the exit code.
 * - a `PeftjsError` (any error with a stable `E_...` code): `peftjs: <message>` on one line, exit 2;
 * - anything else is an internal bug: one line naming it and asking for `--verbose` and a report,
 *   exit 1; with `verbose` the stack follows.
 * Never prints a stack for a `PeftjsError` and never more than one line without `verbose`.
 */
export function reportError(error: unknown, io: CliIo, verbose: boolean): number {
  if (isPeftjsError(error)) {
    io.stderr.write(`peftjs: ${oneLine(error.message)}\n`);
    if (verbose && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
    const exitCode = (error as { exitCode?: unknown }).exitCode;
    return typeof exitCode === 'number' && exitCode > 0 ? exitCode : USER_ERROR_EXIT;
  }
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`peftjs: internal error (${name}: ${oneLine(message)}); rerun with --verbose and report it\n`);
  if (verbose)
    io.stderr.write(`${error instanceof Error && error.stack !== undefined ? error.stack : String(error)}\n`);
  return INTERNAL_ERROR_EXIT;
}

/** Joins a multi-line message into one line and caps its length, so no error floods the terminal. */
export function oneLine(message: string, max = 600): string {
  const line = message
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .join(' ');
  return line.length <= max ? line : `${line.slice(0, max - 3)}...`;
}
