import * as tf from '@tensorflow/tfjs-core';
import './tfjs-setup';
import { createRegistry } from './create-registry';
import { PeftjsError } from './peftjs-error';
import { withoutNewProcessHandlers } from './process-handler-guard';

/** What `setBackend` can be asked for. `auto` prefers TensorFlow, then `native` (`@peftjs/backend-native`), then wasm, then cpu. */
export type BackendName = 'auto' | 'native' | 'wasm' | 'cpu' | 'tensorflow';

/** What {@link setBackend} activated, and what {@link getBackendInfo} reports afterwards. */
export interface BackendInfo {
  /** The tfjs backend now active (`wasm`, `cpu`, `tensorflow`, `webgl`, ...). */
  readonly name: string;
  /** The npm package that provides it. */
  readonly package: string;
  /** What was asked for. */
  readonly requested: BackendName;
  /** For `auto`: the candidates that were tried and why each was skipped. */
  readonly skipped: readonly {
    /** The candidate's name, e.g. `native`. */
    readonly backend: string;
    /** One line: why it could not be used. */
    readonly reason: string;
  }[];
  /** Compute threads: the native backend's OpenMP threads; 1 for wasm (no threads in Node) and cpu; `null` when the library decides (tensorflow). */
  readonly threads: number | null;
  /** For `auto`: one line to show the user when the native backend was skipped (why, and what was used instead); else `null`. */
  readonly notice: string | null;
}

/** Options of {@link setBackend}. */
export interface SetBackendOptions {
  /** Loads optional packages by name (tests inject a stub). */
  loader?: ModuleLoader;
  /** Threads for the native backend (default: `PEFTJS_THREADS`, else the available cores). */
  threads?: number;
}

/** Loads an optional module by name; injectable so the choice can be tested without the packages. */
export type ModuleLoader = (specifier: string) => Promise<unknown>;

/** No requested backend could be activated (code `E_BACKEND`); the message lists why each candidate was skipped. */
export class BackendError extends PeftjsError {
  /** Always `'BackendError'`. */
  override readonly name = 'BackendError';

  /** @param message - which backends were tried and why each failed, with what to install. */
  constructor(message: string) {
    super('E_BACKEND', message);
  }
}

const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
const NATIVE_PACKAGE = '@peftjs/backend-native';

const defaultLoader: ModuleLoader = (specifier) => import(/* @vite-ignore */ specifier);

let current: BackendInfo | null = null;

/**
 * Chooses the tfjs backend every peftjs package computes on.
 *
 * - `wasm`: `@tensorflow/tfjs-backend-wasm` (SIMD, XNNPACK), the default.
 * - `cpu`: the pure-JS backend `@tensorflow/tfjs-backend-cpu`.
 * - `tensorflow`: native libtensorflow through the optional peer `@tensorflow/tfjs-node-gpu`
 *   or `@tensorflow/tfjs-node`; fails with install instructions when neither loads.
 * - `native`: `@peftjs/backend-native` (C++ kernels over a BLAS, OpenMP threads); fails with the
 *   apt packages to install when its addon was not built.
 * - `auto`: `tensorflow` when one of those packages loads, else `native`, else `wasm`, else `cpu`;
 *   `notice` then says why `native` was skipped.
 */
export async function setBackend(
  requested: BackendName = 'auto',
  options: SetBackendOptions = {},
): Promise<BackendInfo> {
  const loader = options.loader ?? defaultLoader;
  const skipped: { backend: string; reason: string }[] = [];
  const candidates: string[] = requested === 'auto' ? autoOrder() : [requested];
  for (const candidate of candidates) {
    // The wasm module's Emscripten glue adds process handlers that rethrow; keep none of them.
    const attempt = await withoutNewProcessHandlers(() => tryBackend(candidate, loader, options.threads));
    if (attempt.ok) {
      const native = skipped.find((s) => s.backend === 'native');
      const notice =
        native === undefined ? null : `native backend unavailable (${native.reason}); using ${tf.getBackend()}`;
      current = {
        name: tf.getBackend(),
        package: attempt.package,
        requested,
        skipped,
        threads: attempt.threads,
        notice,
      };
      return current;
    }
    skipped.push({ backend: candidate, reason: attempt.reason });
  }
  const reasons = skipped.map((s) => `  ${s.backend}: ${s.reason}`).join('\n');
  throw new BackendError(`Could not activate the "${requested}" backend:\n${reasons}`);
}

/** The backend now active; sets up the default (`auto`) first if none was chosen yet. */
export async function getBackendInfo(): Promise<BackendInfo> {
  if (current !== null && tf.getBackend() === current.name) return current;
  if (current !== null) {
    // Someone switched backends behind our back with tf.setBackend: report the truth.
    current = {
      name: tf.getBackend(),
      package: '@tensorflow/tfjs-core',
      requested: current.requested,
      skipped: [],
      threads: null,
      notice: null,
    };
    return current;
  }
  return setBackend('auto');
}

type Attempt = { ok: true; package: string; threads: number | null } | { ok: false; reason: string };

/** One row of the backend table: how `auto` ranks it and how to activate it. */
interface BackendCandidate {
  /** `auto` tries candidates from the highest priority down. */
  readonly priority: number;
  activate(loader: ModuleLoader, threads: number | undefined): Promise<Attempt>;
}

/**
 * The backends `setBackend` knows, as a priority table (not a switch): a new backend is one row.
 * `auto` order: tensorflow (native libtensorflow, if installed), native (`@peftjs/backend-native`, when built), wasm, cpu.
 */
const BACKENDS = createRegistry<BackendCandidate>({
  kind: 'backend',
  builtIns: [
    ['tensorflow', { priority: 300, activate: (loader) => tryTensorflow(loader) }],
    ['native', { priority: 250, activate: (loader, threads) => tryNative(loader, threads) }],
    ['wasm', { priority: 200, activate: (loader) => tryRegistered('wasm', '@tensorflow/tfjs-backend-wasm', loader) }],
    ['cpu', { priority: 100, activate: (loader) => tryRegistered('cpu', '@tensorflow/tfjs-backend-cpu', loader) }],
  ] satisfies [Exclude<BackendName, 'auto'>, BackendCandidate][],
});

/** The names `auto` tries, highest priority first. */
function autoOrder(): string[] {
  return BACKENDS.entries()
    .sort(([, a], [, b]) => b.priority - a.priority)
    .map(([name]) => name);
}

async function tryBackend(name: string, loader: ModuleLoader, threads: number | undefined): Promise<Attempt> {
  const candidate = BACKENDS.find(name);
  if (candidate === undefined)
    return { ok: false, reason: `unknown backend "${name}"; use one of auto, ${BACKENDS.names().join(', ')}` };
  return candidate.activate(loader, threads);
}

async function tryTensorflow(loader: ModuleLoader): Promise<Attempt> {
  const failures: string[] = [];
  for (const pkg of TENSORFLOW_PACKAGES) {
    try {
      await loader(pkg);
    } catch (error) {
      failures.push(`${pkg}: ${firstLine(error)}`);
      continue;
    }
    const activated = await activate('tensorflow');
    if (activated) return { ok: true, package: pkg, threads: null };
    failures.push(`${pkg} loaded but did not register the "tensorflow" backend`);
  }
  return {
    ok: false,
    reason:
      `neither native package could be loaded (${failures.join('; ')}). ` +
      'Install one with `npm install @tensorflow/tfjs-node` (CPU) or `npm install @tensorflow/tfjs-node-gpu` (CUDA); ' +
      'their install step downloads libtensorflow, so it needs network access.',
  };
}

async function tryRegistered(name: 'wasm' | 'cpu', pkg: string, loader: ModuleLoader): Promise<Attempt> {
  if (name === 'wasm') {
    try {
      await loader(pkg);
    } catch (error) {
      return { ok: false, reason: `${pkg} could not be loaded (${firstLine(error)}); run \`npm install ${pkg}\`` };
    }
  }
  const activated = await activate(name);
  return activated ? { ok: true, package: pkg, threads: 1 } : { ok: false, reason: `tf.setBackend("${name}") failed` };
}

/** The part of `@peftjs/backend-native` that core calls (core does not depend on it; it is loaded by name). */
interface NativeBackendModule {
  registerNativeBackend(options: { threads?: number }): { threads: number };
}

async function tryNative(loader: ModuleLoader, threads: number | undefined): Promise<Attempt> {
  let mod: Partial<NativeBackendModule>;
  try {
    mod = (await loader(NATIVE_PACKAGE)) as Partial<NativeBackendModule>;
  } catch (error) {
    return {
      ok: false,
      reason: `${NATIVE_PACKAGE} could not be loaded (${firstLine(error)}); run \`npm install ${NATIVE_PACKAGE}\` (it builds with g++ against libopenblas-dev or libdnnl-dev)`,
    };
  }
  if (typeof mod.registerNativeBackend !== 'function')
    return { ok: false, reason: `${NATIVE_PACKAGE} does not export registerNativeBackend; install a matching version` };
  let info: { threads: number };
  try {
    info = mod.registerNativeBackend(threads === undefined ? {} : { threads });
  } catch (error) {
    return { ok: false, reason: firstLine(error) };
  }
  const activated = await activate('native');
  return activated
    ? { ok: true, package: NATIVE_PACKAGE, threads: info.threads }
    : { ok: false, reason: 'tf.setBackend("native") failed' };
}

async function activate(name: string): Promise<boolean> {
  if (tf.findBackendFactory(name) === null && tf.findBackend(name) === null) return false;
  try {
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
