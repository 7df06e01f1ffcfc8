import type { InitializerOptions } from '../lora-initializer';

/** Throws when `options` has a key outside `allowed`, naming it and the allowed ones. */
export function assertKnownOptions(initializer: string, options: InitializerOptions, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const known = allowed.length ? allowed.join(', ') : 'none';
      throw new Error(
        `init.options.${key} is not an option of the "${initializer}" initialiser (its options: ${known})`,
      );
    }
  }
}

/** `fromPeftInitValue` for initialisers that PEFT names by one fixed value. */
export function exactPeftValue(expected: boolean | string): (value: boolean | string) => InitializerOptions | null {
  return (value) => (value === expected ? {} : null);
}
