import { packageBuild } from '../../tsup.shared.ts';

// The worker thread of computeEvaState({ workers }) is its own entry, loaded by URL at run time.
export default packageBuild({ entry: ['src/index.ts', 'src/parallel/eva-worker.ts'], shims: true });
