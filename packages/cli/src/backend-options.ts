import { getBackendInfo, setBackend, type BackendInfo, type BackendName } from '@peftjs/core';
import { integerOption } from './args';
import { CliError, type CliIo } from './cli-error';

/** The tfjs backends `--backend` accepts (core's `setBackend` names). */
const BACKEND_NAMES: readonly BackendName[] = ['auto', 'native', 'wasm', 'cpu', 'tensorflow'];

/** `--backend` and `--threads`, shared by every command. */
export const BACKEND_OPTIONS = {
  backend: { type: 'string' },
  threads: { type: 'string' },
} as const;

/** Help lines for {@link BACKEND_OPTIONS}, aligned with the commands' option tables. */
export const BACKEND_HELP = `  --backend NAME     compute backend: ${BACKEND_NAMES.join('|')}   default: the active one, else auto
  --threads N        compute threads (native backend)                 default: all cores`;

/** What a run records about where it computed. */
interface BackendRecord {
  readonly name: string;
  readonly threads: number | null;
  readonly package: string;
}

/** The chosen backend, and the stream progress goes to: its first write is preceded by the backend line. */
export interface SelectedBackend {
  readonly record: BackendRecord;
  readonly progress: CliIo['stderr'];
}

/**
 * Activates the backend asked for with `--backend` / `--threads`. The returned `progress` stream
 * prints `Backend: <name> (<threads> threads, <package>)` (and, for `auto`, why `native` was
 * skipped) before the first progress line, so an input error before any progress stays one line. Without either option the backend already
 * chosen in this process is kept (a program that called `setBackend` first), else `auto`.
 * Options are checked before anything runs.
 */
export async function selectBackend(
  command: string,
  values: Record<string, unknown>,
  io: CliIo,
): Promise<SelectedBackend> {
  const raw = values.backend ?? 'auto';
  if (typeof raw !== 'string' || !(BACKEND_NAMES as readonly string[]).includes(raw)) {
    throw new CliError(`peftjs ${command}: --backend must be one of ${BACKEND_NAMES.join(', ')}; got "${String(raw)}"`);
  }
  const threads = values.threads === undefined ? undefined : integerOption(command, values, 'threads', 1);
  const info: BackendInfo =
    values.backend === undefined && threads === undefined
      ? await getBackendInfo()
      : await setBackend(raw as BackendName, threads === undefined ? {} : { threads });
  const line = `${info.notice === null ? '' : `Notice: ${info.notice}\n`}Backend: ${info.name} (${info.threads === null ? 'library-chosen' : info.threads} thread${info.threads === 1 ? '' : 's'}, ${info.package})\n`;
  let announced = false;
  const progress: CliIo['stderr'] = {
    ...(io.stderr.isTTY === undefined ? {} : { isTTY: io.stderr.isTTY }),
    write: (text: string) => {
      if (!announced) {
        announced = true;
        io.stderr.write(line);
      }
      return io.stderr.write(text);
    },
  };
  return { record: { name: info.name, threads: info.threads, package: info.package }, progress };
}
