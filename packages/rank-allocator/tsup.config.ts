import { packageBuild } from '../../tsup.shared.ts';

// createRegistry comes from @peftjs/core/registry (tfjs-free) and is bundled in from core's source:
// no run-time dependency. `./testing` (the RankAllocator conformance suite, for vitest with
// fast-check, both optional peers) is its own entry.
export default packageBuild({
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
  noExternal: ['@peftjs/core'],
  esbuildOptions(options) {
    options.conditions = ['@peftjs/source'];
  },
});
