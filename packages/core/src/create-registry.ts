import { PeftjsError } from './peftjs-error';

/** Why a registry refused a call. */
export type RegistryErrorReason = 'invalid-name' | 'invalid-value' | 'duplicate' | 'built-in' | 'unknown';

/** How a registry is set up. */
export interface RegistryOptions<T> {
  /** What it holds, for messages: `LoRA initialiser`, `rank allocator`, `SVD solver`, ... */
  readonly kind: string;
  /** The entries that ship with the package: listed first, never replaced or removed. */
  readonly builtIns?: Iterable<readonly [string, T]>;
  /** Names a user may register (default: a letter, then letters, digits, `_` or `-`). */
  readonly namePattern?: RegExp;
  /** Checks a value before it is registered; returns what is wrong with it, or `null`. */
  readonly validate?: (value: T) => string | null;
  /** A user name registered again: `replace` it (default) or refuse it as a `duplicate`. */
  readonly onDuplicate?: 'replace' | 'error';
  /** How users add entries, for the "unknown name" message, e.g. `registerInitializer(name, initializer)`. */
  readonly registerHint?: string;
  /** Stable code of the "unknown name" error (default `E_UNKNOWN_NAME`). */
  readonly unknownCode?: string;
  /** Builds the thrown errors; default a `PeftjsError` (`unknownCode`, or `E_REGISTRY` for the other reasons). */
  readonly createError?: (reason: RegistryErrorReason, message: string) => Error;
}

/** Named implementations of one plug point: what `createRegistry` returns. */
export interface Registry<T> {
  /** Adds `value` under `name`; returns a function that removes exactly this registration again. */
  register(name: string, value: T): () => void;
  /** Removes a user entry; returns whether there was one. Built-ins cannot be removed. */
  unregister(name: string): boolean;
  /** The entry named `name`; throws (`unknown`) listing the registered names when there is none. */
  get(name: string): T;
  /** The entry named `name`, or `undefined`. */
  find(name: string): T | undefined;
  /** Whether an entry named `name` exists (built-in or user). */
  has(name: string): boolean;
  /** Every name: built-ins first in their given order, then user entries in registration order. */
  names(): string[];
  /** Every `[name, value]`, in the order of {@link Registry.names}. */
  entries(): [string, T][];
}

/**
 * One registry helper for every plug point (rank allocators, initialisers, variants, SVD solvers,
 * backends), like tfjs's one kernel registry: built-ins come in the initial table (no registration
 * at import, so no side effects), users add theirs by name, and lookups of unknown names throw one
 * line listing what is registered. A plain `Map` inside; no tensor code, so any package can use it.
 *
 * @throws the error of `createError` (default `PeftjsError`) for an invalid name or value, a
 *   duplicate (with `onDuplicate: 'error'`), a built-in name, or an unknown name.
 */
export function createRegistry<T>(options: RegistryOptions<T>): Registry<T> {
  const builtIns = new Map<string, T>(options.builtIns ?? []);
  const user = new Map<string, T>();
  const pattern = options.namePattern ?? /^[A-Za-z][\w-]*$/;
  const fail =
    options.createError ??
    ((reason: RegistryErrorReason, message: string) =>
      new PeftjsError(reason === 'unknown' ? (options.unknownCode ?? 'E_UNKNOWN_NAME') : 'E_REGISTRY', message));
  const find = (name: string): T | undefined => builtIns.get(name) ?? user.get(name);
  const names = (): string[] => [...builtIns.keys(), ...user.keys()];
  return {
    register(name, value) {
      if (typeof name !== 'string' || !pattern.test(name)) {
        throw fail(
          'invalid-name',
          `${options.kind} name ${JSON.stringify(name)} is not valid; it must match ${String(pattern)}`,
        );
      }
      const problem = options.validate?.(value) ?? null;
      if (problem !== null) throw fail('invalid-value', `${options.kind} "${name}": ${problem}`);
      if (builtIns.has(name))
        throw fail('built-in', `"${name}" is a built-in ${options.kind} and cannot be replaced; pick another name`);
      if (user.has(name) && options.onDuplicate === 'error') {
        throw fail(
          'duplicate',
          `a ${options.kind} named "${name}" is already registered; choose another name or remove it first`,
        );
      }
      user.set(name, value);
      return () => {
        if (user.get(name) === value) user.delete(name);
      };
    },
    unregister: (name) => user.delete(name),
    get(name) {
      const found = find(name);
      if (found === undefined) {
        const hint = options.registerHint === undefined ? '' : ` Register your own with ${options.registerHint}.`;
        throw fail('unknown', `Unknown ${options.kind} "${name}"; registered: ${names().join(', ')}.${hint}`);
      }
      return found;
    },
    find,
    has: (name) => find(name) !== undefined,
    names,
    entries: () => names().map((name) => [name, find(name) as T]),
  };
}
