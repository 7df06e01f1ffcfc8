import { packageBuild } from '../../tsup.shared.ts';

// `./registry` (createRegistry without tfjs) is its own entry, so dependency-free packages can bundle it.
export default packageBuild({ entry: { index: 'src/index.ts', registry: 'src/registry-entry.ts' } });
