import { packageBuild } from '../../tsup.shared.ts';

// `./node` (file IO, Node only) is its own entry, so the main one runs in a browser.
export default packageBuild({ entry: { index: 'src/index.ts', node: 'src/node.ts' } });
