import { defineConfig } from 'vitest/config';

/** Tests resolve workspace packages to their `src/` through the `@peftjs/source` export condition. */
export function packageTest(overrides: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions: ['@peftjs/source'] },
    ssr: { resolve: { conditions: ['@peftjs/source'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      fileParallelism: true,
      maxWorkers: 2,
    },
  });
}
