import { createExplainedVarianceAllocator } from './explained-variance-allocator';
import type { RankAllocator } from './rank-allocator';
import { RankAllocatorError } from './rank-allocator-error';
import type { RankAllocatorOptions } from './read-options';
import { createUniformAllocator } from './uniform-allocator';
import { createVarianceThresholdAllocator } from './variance-threshold-allocator';

/** Builds an allocator from plain options (e.g. parsed from a config file); throws on bad options. */
export type RankAllocatorFactory = (options: RankAllocatorOptions) => RankAllocator;

// The built-ins sit in the initial table rather than registering themselves at import (no side
// effects at import). Adding one is one file plus one line here; the conformance test picks it up.
const registry = new Map<string, RankAllocatorFactory>([
  ['explainedVariance', (options) => createExplainedVarianceAllocator(options)],
  ['uniform', (options) => createUniformAllocator(options)],
  ['varianceThreshold', (options) => createVarianceThresholdAllocator(options)],
]);

/**
 * Registers a factory under `name` so `getRankAllocator(name, options)` can build it (e.g. from a
 * config `{ rankAllocator: 'topHeavy' }`). Throws if the name is taken. Returns a function that
 * removes the registration again.
 */
export function registerRankAllocator(name: string, factory: RankAllocatorFactory): () => void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new RankAllocatorError('INVALID_OPTIONS', `rank allocator name must be a non-empty string, got ${String(name)}`, {
      field: 'name',
    });
  }
  if (typeof factory !== 'function') {
    throw new RankAllocatorError(
      'INVALID_OPTIONS',
      `registerRankAllocator("${name}", factory): factory must be a function (options) => RankAllocator`,
      { field: 'factory' },
    );
  }
  if (registry.has(name)) {
    throw new RankAllocatorError(
      'DUPLICATE_ALLOCATOR',
      `a rank allocator named "${name}" is already registered; choose another name or call the function ` +
        'returned by its registerRankAllocator first',
      { field: 'name' },
    );
  }
  registry.set(name, factory);
  return () => {
    if (registry.get(name) === factory) registry.delete(name);
  };
}

/** Builds the allocator registered as `name` with `options` (default `{}`). */
export function getRankAllocator(name: string, options: RankAllocatorOptions = {}): RankAllocator {
  const factory = registry.get(name);
  if (factory === undefined) {
    throw new RankAllocatorError(
      'UNKNOWN_ALLOCATOR',
      `unknown rank allocator "${name}"; registered: ${listRankAllocators().join(', ')}. ` +
        'Register your own with registerRankAllocator(name, factory).',
      { field: 'name' },
    );
  }
  return factory(options);
}

/** Registered allocator names, sorted in code-unit order. */
export function listRankAllocators(): string[] {
  return [...registry.keys()].sort();
}
