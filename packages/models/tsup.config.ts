import { packageBuild } from '../../tsup.shared.ts';

// shims: import.meta.url (bundledCheckpoint, loadMnist) also works in the CommonJS build.
export default packageBuild({ shims: true });
