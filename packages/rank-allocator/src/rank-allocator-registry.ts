import { createRegistry, type Registry } from '@peftjs/core/registry';
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
// createRegistry is bundled into this package's build (devDependency): no run-time dependency.
const registry: Registry<RankAllocatorFactory> = createRegistry<RankAllocatorFactory>({
  kind: 'rank allocator',
  builtIns: [
    ['explainedVariance', (options) => createExplainedVarianceAllocator(options)],
    ['uniform', (options) => createUniformAllocator(options)],
    ['varianceThreshold', (options) => createVarianceThresholdAllocator(options)],
  ],
  namePattern: /^[\s\S]+$/,
  onDuplicate: 'error',
  registerHint: 'registerRankAllocator(name, factory)',
  createError: (reason, message) =>
    new RankAllocatorError(
      reason === 'unknown'
        ? 'UNKNOWN_ALLOCATOR'
        : reason === 'duplicate' || reason === 'built-in'
          ? 'DUPLICATE_ALLOCATOR'
          : 'INVALID_OPTIONS',
      message,
      { field: 'name' },
    ),
});

/**
 * Registers a factory under `name` so `getRankAllocator(name, options)` can build it (e.g. from a
 * config `{ rankAllocator: 'topHeavy' }`). Throws if the name is taken. Returns a function that
 * removes the registration again.
 */
export function registerRankAllocator(name: string, factory: RankAllocatorFactory): () => void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new RankAllocatorError(
      'INVALID_OPTIONS',
      `rank allocator name must be a non-empty string, got ${String(name)}`,
      {
        field: 'name',
      },
    );
  }
  if (typeof factory !== 'function') {
    throw new RankAllocatorError(
      'INVALID_OPTIONS',
      `registerRankAllocator("${name}", factory): factory must be a function (options) => RankAllocator`,
      { field: 'factory' },
    );
  }
  return registry.register(name, factory);
}

/** Builds the allocator registered as `name` with `options` (default `{}`). */
export function getRankAllocator(name: string, options: RankAllocatorOptions = {}): RankAllocator {
  return registry.get(name)(options);
}

/** Registered allocator names, sorted in code-unit order. */
export function listRankAllocators(): string[] {
  return registry.names().sort();
}
