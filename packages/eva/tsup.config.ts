import { packageBuild } from '../../tsup.shared.ts';

// `./node` (EVA state files, worker threads) is its own entry, so the main one runs in a browser.
// The worker thread of computeEvaStateParallel is its own entry too (dist/eva-worker.js), loaded by URL at run time.
export default packageBuild({
  entry: { index: 'src/index.ts', node: 'src/node.ts', 'eva-worker': 'src/parallel/eva-worker.ts' },
  shims: true,
});
