import { PeftjsError } from '@peftjs/core';

/** Raised when an optional peer dependency (a dataset package) is not installed (code `E_MISSING_DEPENDENCY`). */
export class MissingDependencyError extends PeftjsError {
  /** Always `'MissingDependencyError'`. */
  override readonly name = 'MissingDependencyError';
  /** @param message - the package to install and the command that installs it. */
  constructor(message: string) {
    super('E_MISSING_DEPENDENCY', message);
  }
}

/**
 * Imports an optional peer dependency on first use, with an error that names the package to install.
 * Returns the CommonJS export (`module.exports`) or the ESM namespace.
 */
export async function importOptional(
  specifier: string,
  purpose: string,
  install = `npm install ${specifier}`,
): Promise<unknown> {
  let mod: unknown;
  try {
    mod = await import(/* @vite-ignore */ specifier);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new MissingDependencyError(
      `${purpose} needs the optional package "${specifier}", which could not be loaded (${detail}). Install it: ${install}`,
    );
  }
  if (typeof mod === 'object' && mod !== null && 'default' in mod) return (mod as { default: unknown }).default;
  return mod;
}

/** The function exported by a dataset package, checked. */
export async function importDatasetFunction(specifier: string, purpose: string): Promise<() => unknown> {
  const fn = await importOptional(specifier, purpose);
  if (typeof fn !== 'function')
    throw new MissingDependencyError(
      `"${specifier}" did not export a function; reinstall it (npm install ${specifier})`,
    );
  return fn as () => unknown;
}
