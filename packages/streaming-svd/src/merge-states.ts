import type { StreamingDecomposer } from './streaming-decomposer';

/**
 * Merges the states of several disjoint shards into the state of fitting their union, left to
 * right (`states[0].merge(states[1]).merge(...)`). Inputs are not changed; a single state is
 * returned as is.
 */
export function mergeStates<D extends StreamingDecomposer<unknown, D>>(states: readonly D[]): D {
  const [first, ...rest] = states;
  if (first === undefined) throw new RangeError('mergeStates: pass at least one state');
  let acc: D = first;
  for (const next of rest) acc = acc.merge(next);
  return acc;
}
