import { defineConfig, type Options } from 'tsup';

/** The one build template every package uses: ESM + CJS + .d.ts from src/index.ts. */
export function packageBuild(overrides: Partial<Options> = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    removeNodeProtocol: false,
    // One tfjs instance for the whole app: never bundle it, even where it is only a transitive dependency.
    external: [/^@tensorflow\//],
    clean: true,
    target: 'node20',
    ...overrides,
  });
}
