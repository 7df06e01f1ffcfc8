import { packageBuild } from '../../tsup.shared.ts';

// @tensorflow/tfjs comes through @peftjs/core's dependencies; keep it external (never bundled).
export default packageBuild({ external: ['@tensorflow/tfjs'] });
