import { listInitializers } from '@peftjs/lora';
import { listRankAllocators } from '@peftjs/rank-allocator';
import { CliError } from '../cli-error';

/**
 * One arm of a comparison, parsed from `--methods`:
 * - `{ kind: 'lora', init }`: LoRA with a registered initialiser (`kaiming`, `pissa`, `olora`, a user one);
 * - `{ kind: 'eva', allocator, rho }`: EVA with a registered rank allocator and its `rho`
 *   (`undefined`: the task's defaults, i.e. `explainedVariance` and rho 2).
 * `label` is the text the user wrote, used as the method's name in tables and files.
 */
export type CompareMethod =
  | {
      /** LoRA with a registered initialiser. */
      readonly kind: 'lora';
      /** The `--methods` entry as written. */
      readonly label: string;
      /** Initialiser name in `@peftjs/lora`'s registry (`listInitializers()`). */
      readonly init: string;
    }
  | {
      /** EVA (Paischer et al. 2024). */
      readonly kind: 'eva';
      /** The `--methods` entry as written. */
      readonly label: string;
      /** Rank-allocator name in `@peftjs/rank-allocator`'s registry; undefined: the task's default. */
      readonly allocator: string | undefined;
      /** EVA's rank budget factor `rho` (>= 1); undefined: the task's default. */
      readonly rho: number | undefined;
    };

/**
 * Parses one `--methods` entry: an initialiser name (`kaiming`), or `eva` optionally followed by
 * `:ALLOCATOR` and/or `:rho=X` (`eva:uniform`, `eva:rho=1`, `eva:varianceThreshold:rho=1.5`).
 * Names are checked against the lora initialiser and rank-allocator registries.
 *
 * @throws {@link CliError} for an unknown initialiser or allocator, or a rho that is not a number >= 1.
 */
export function parseCompareMethod(text: string): CompareMethod {
  const [head, ...parts] = text.split(':');
  if (head !== 'eva') {
    if (parts.length > 0)
      throw new CliError(`compare: method "${text}" has options, but only eva takes them (eva:ALLOCATOR:rho=X)`);
    const known = listInitializers().filter((n) => n !== 'eva');
    if (head === undefined || !known.includes(head))
      throw new CliError(
        `compare: unknown method "${text}"; use eva[:ALLOCATOR][:rho=X] or a registered initialiser: ${known.join(', ')}`,
      );
    return { kind: 'lora', label: text, init: head };
  }
  let allocator: string | undefined;
  let rho: number | undefined;
  for (const part of parts) {
    if (part.startsWith('rho=')) {
      rho = Number(part.slice(4));
      if (!(Number.isFinite(rho) && rho >= 1))
        throw new CliError(`compare: method "${text}": rho must be a number >= 1, got "${part.slice(4)}"`);
    } else if (listRankAllocators().includes(part)) {
      allocator = part;
    } else {
      throw new CliError(
        `compare: method "${text}": unknown option "${part}"; use rho=X or an allocator: ${listRankAllocators().join(', ')}`,
      );
    }
  }
  return { kind: 'eva', label: text, allocator, rho };
}
