import { getBackendInfo, setBackend, type BackendInfo, type BackendName } from '@peftjs/core';
import { integerOption } from './args';
import { CliError, type CliIo } from './cli-error';

/** The tfjs backends `--backend` accepts (core's `setBackend` names). */
export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'native', 'wasm', 'cpu', 'tensorflow'];

/** `--backend` and `--threads`, shared by every command. */
export const BACKEND_OPTIONS = {
  backend: { type: 'string' },
  threads: { type: 'string' },
} as const;

/** Help lines for {@link BACKEND_OPTIONS}, aligned with the commands' option tables. */
export const BACKEND_HELP = `  --backend NAME     compute backend: ${BACKEND_NAMES.join('|')}   default: the active one, else auto
  --threads N        compute threads (native backend)                 default: all cores`;

/** What a run records about where it computed. */
export interface BackendRecord {
  readonly name: string;
  readonly threads: number | null;
  readonly package: string;
}

/**
 * Activates the backend asked for with `--backend` / `--threads` and prints it (and, for `auto`,
 * why `native` was skipped) on the progress stream. Without either option the backend already
 * chosen in this process is kept (a program that called `setBackend` first), else `auto`.
 * Options are checked before anything runs.
 */
export async function selectBackend(command: string, values: Record<string, unknown>, io: CliIo): Promise<BackendRecord> {
  const raw = values.backend ?? 'auto';
  if (typeof raw !== 'string' || !(BACKEND_NAMES as readonly string[]).includes(raw)) {
    throw new CliError(`peftjs ${command}: --backend must be one of ${BACKEND_NAMES.join(', ')}; got "${String(raw)}"`);
  }
  const threads = values.threads === undefined ? undefined : integerOption(command, values, 'threads', 1);
  const info: BackendInfo =
    values.backend === undefined && threads === undefined ? await getBackendInfo() : await setBackend(raw as BackendName, threads === undefined ? {} : { threads });
  if (info.notice !== null) io.stderr.write(`Notice: ${info.notice}\n`);
  io.stderr.write(`Backend: ${info.name} (${info.threads === null ? 'library-chosen' : info.threads} thread${info.threads === 1 ? '' : 's'}, ${info.package})\n`);
  return { name: info.name, threads: info.threads, package: info.package };
}
