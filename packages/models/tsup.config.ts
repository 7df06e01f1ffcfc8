import { packageBuild } from '../../tsup.shared.ts';

// `./node` (checkpoint, tokenizer and dataset files, Node only) is its own entry, so the main one runs in a browser.
// shims: import.meta.url (bundledCheckpoint, loadMnist) also works in the CommonJS build.
export default packageBuild({ entry: { index: 'src/index.ts', node: 'src/node.ts' }, shims: true });
