import { setBackend, type BackendName } from '@peftjs/core';
import { runCli } from './cli';
import type { CliIo } from './cli-error';
import { reportError } from './report-error';

/**
 * The `peftjs` executable: picks the backend (`PEFTJS_BACKEND`, default `auto`), runs the command,
 * and guarantees that nothing but one line per error reaches the terminal: errors thrown outside
 * the command's promise chain (timers, streams) are caught by process handlers installed here,
 * and the wasm module's own rethrowing handlers are removed by `setBackend`. Returns the exit code.
 */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const verbose = argv.includes('--verbose');
  const onError = (error: unknown) => {
    process.exitCode = reportError(error, io, verbose);
    process.exit();
  };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  try {
    await setBackend((env['PEFTJS_BACKEND'] ?? 'auto') as BackendName);
  } catch (error) {
    return reportError(error, io, verbose);
  }
  return runCli(argv, io);
}
