import type { InitializerOptions, LoraTarget } from '@peftjs/lora';
import type { InitOptionsFor } from './adapter-lifecycle';

/**
 * Options the suites give the built-in initialisers that need some; every other one gets `{}`.
 * A new built-in that needs options is one entry here.
 */
const BUILT_IN: Readonly<Record<string, InitOptionsFor>> = {
  // EVA's components come from an EVA state; any orthonormal rows will do: the first `RANK`
  // unit vectors (rows of length in) for every target.
  eva: (targets: readonly LoraTarget[]): InitializerOptions => ({
    components: Object.fromEntries(
      targets.map((t) => [
        t.path,
        Float32Array.from({ length: 2 * t.inFeatures }, (_, i) => (i % (t.inFeatures + 1) === 0 ? 1 : 0)),
      ]),
    ),
  }),
};

/** The suites' options for initialiser `name`: `given[name]`, else the built-in's, else `{}`. */
export function initOptionsFor(name: string, given: Readonly<Record<string, InitOptionsFor>> = {}): InitOptionsFor {
  return given[name] ?? BUILT_IN[name] ?? (() => ({}));
}
