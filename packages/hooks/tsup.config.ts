import { packageBuild } from '../../tsup.shared.ts';

// @tensorflow/tfjs reaches this package through @peftjs/core; keep it external (never bundle tfjs).
export default packageBuild({ external: ['@tensorflow/tfjs'] });
