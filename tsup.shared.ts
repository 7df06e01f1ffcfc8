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
    // Entries (`.`, `./node`, ...) share chunks in CJS too, as they do in ESM: one copy of each class
    // and registry however a program mixes `@peftjs/x` and `@peftjs/x/node`, so `instanceof` holds.
    splitting: true,
    target: 'node20',
    ...overrides,
  });
}
