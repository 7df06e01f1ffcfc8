import { packageBuild } from '../../tsup.shared.ts';

// The worker thread of computeEvaState({ workers }) is its own entry (dist/eva-worker.js), loaded by URL at run time.
export default packageBuild({
  entry: { index: 'src/index.ts', 'eva-worker': 'src/parallel/eva-worker.ts' },
  shims: true,
});
