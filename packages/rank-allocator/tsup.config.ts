import { packageBuild } from '../../tsup.shared.ts';

// createRegistry comes from @peftjs/core/registry (tfjs-free) and is bundled in from core's source:
// no run-time dependency.
export default packageBuild({
  noExternal: ['@peftjs/core'],
  esbuildOptions(options) {
    options.conditions = ['@peftjs/source'];
  },
});
