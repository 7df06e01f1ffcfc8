import { packageBuild } from '../../tsup.shared.ts';

// `./registry` (createRegistry without tfjs) is its own entry, so dependency-free packages can bundle it;
// `./node` (safetensors files on disk) is its own entry, so the main one runs in a browser.
export default packageBuild({
  entry: { index: 'src/index.ts', registry: 'src/registry-entry.ts', node: 'src/node.ts' },
});
