import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openblasCoreTypeFor } from './cpu-features';
import type { NativeAddon } from './native-addon';
import { NativeBackendError } from './native-backend-error';

/** The apt line that provides everything the addon's build needs on Debian/Ubuntu. */
export const INSTALL_HINT =
  'apt-get install -y g++ make python3 libopenblas-dev libdnnl-dev && npm rebuild @peftjs/backend-native';

/** What the install script left in `build/`: the BLAS it linked, or why it could not build. */
export interface BuildRecord {
  /** Whether `build/Release/peftjs_native.node` was built. */
  readonly ok: boolean;
  /** The BLAS it linked: `onednn` or `openblas`. */
  readonly blas?: string;
  /** Why the build failed (one line), when `ok` is false. */
  readonly reason?: string;
  /** The command that installs what the build lacked, when `ok` is false. */
  readonly install?: string;
}

let loaded: NativeAddon | null = null;

/** The package root: `src/` and `dist/` both sit one level below it. */
export function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

/** Reads `build/native-build.json`, written by `scripts/build.mjs` at install time. */
export function readBuildRecord(root: string = packageRoot()): BuildRecord | undefined {
  const file = join(root, 'build', 'native-build.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as BuildRecord;
}

/**
 * Loads the compiled addon once. Before the shared libraries load, it sets the environment they
 * read at start-up, unless the user already set it: `OPENBLAS_CORETYPE` from the CPU's flags
 * (see {@link openblasCoreTypeFor}) and `OPENBLAS_NUM_THREADS=1` (our OpenMP threads split the work
 * and call the BLAS one thread each).
 *
 * @param root - the package folder holding `build/` (tests point it at a scratch copy).
 * @throws NativeBackendError `NATIVE_ADDON_NOT_BUILT` with the reason recorded at install time and
 *   the apt command to run, or `NATIVE_ADDON_LOAD_FAILED` when the `.node` file does not load.
 */
export function loadAddon(root: string = packageRoot()): NativeAddon {
  if (loaded !== null && root === packageRoot()) return loaded;
  const file = join(root, 'build', 'Release', 'peftjs_native.node');
  const record = readBuildRecord(root);
  if (!existsSync(file)) {
    const why = record?.reason ?? 'its install script did not run (npm ci --ignore-scripts?)';
    throw new NativeBackendError(
      'E_NATIVE_NOT_BUILT',
      `@peftjs/backend-native was not built: ${why}; run \`${record?.install ?? INSTALL_HINT}\``,
      record?.install ?? INSTALL_HINT,
    );
  }
  if (process.env.OPENBLAS_CORETYPE === undefined) {
    const core = openblasCoreTypeFor();
    if (core !== undefined) process.env.OPENBLAS_CORETYPE = core;
  }
  process.env.OPENBLAS_NUM_THREADS ??= '1';
  try {
    const addon = createRequire(import.meta.url)(file) as NativeAddon;
    if (root === packageRoot()) loaded = addon;
    return addon;
  } catch (error) {
    const text = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new NativeBackendError(
      'E_NATIVE_LOAD_FAILED',
      `@peftjs/backend-native could not load ${file} (${text}); run \`${INSTALL_HINT}\``,
      INSTALL_HINT,
    );
  }
}
