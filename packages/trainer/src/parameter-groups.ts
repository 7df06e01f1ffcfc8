import { PeftjsError } from '@peftjs/core';
import { assertFiniteNonNegative } from './optimizer';

/**
 * A set of parameters with their own weight decay, like a torch optimizer's param group.
 * A parameter belongs to the first group that lists it; parameters in no group follow the default
 * rule (the optimizer's `weightDecay`, except what the trainer exempts: biases and norm weights).
 */
export interface ParameterGroup {
  /** Parameter names (as the trainer names them, `h.0.ln_1.weight`), or a test on the name. */
  readonly parameters: readonly string[] | ((name: string) => boolean);
  /** Weight decay of this group (default: the optimizer's `weightDecay`). */
  readonly weightDecay?: number;
}

/** What the trainer tells an optimizer at each step besides the gradients. */
export interface StepContext {
  /**
   * Parameters the default rule does not decay: Hugging Face Trainer's complement of
   * `get_decay_parameter_names` (see {@link decayParameterNames}). Applies to parameters that no
   * explicit {@link ParameterGroup} places.
   */
  readonly noDecay?: ReadonlySet<string>;
}

/** Checks groups when an optimizer is built; returns a frozen copy (the caller's array is not kept). */
export function checkParameterGroups(
  owner: string,
  groups: readonly ParameterGroup[] | undefined,
): readonly ParameterGroup[] {
  if (groups === undefined) return [];
  groups.forEach((g, i) => {
    const ok =
      typeof g.parameters === 'function' ||
      (Array.isArray(g.parameters) && g.parameters.every((n) => typeof n === 'string'));
    if (!ok)
      throw new PeftjsError(
        'E_CONFIG',
        `${owner}: parameterGroups[${i}].parameters must be an array of parameter names or a function of the name`,
      );
    if (g.weightDecay !== undefined) assertFiniteNonNegative(owner, `parameterGroups[${i}].weightDecay`, g.weightDecay);
  });
  return Object.freeze(
    groups.map((g) =>
      Object.freeze({
        ...g,
        parameters: typeof g.parameters === 'function' ? g.parameters : Object.freeze([...g.parameters]),
      }),
    ),
  );
}

/** The weight decay of parameter `name`: its group's, else 0 when the trainer exempts it, else `fallback`. */
export function weightDecayFor(
  name: string,
  groups: readonly ParameterGroup[],
  fallback: number,
  context: StepContext | undefined,
): number {
  for (const g of groups) {
    const member = typeof g.parameters === 'function' ? g.parameters(name) : g.parameters.includes(name);
    if (member) return g.weightDecay ?? fallback;
  }
  return context?.noDecay?.has(name) === true ? 0 : fallback;
}
