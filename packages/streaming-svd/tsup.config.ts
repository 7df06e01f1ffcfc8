import { packageBuild } from '../../tsup.shared.ts';

// `./testing` (the StreamingDecomposer conformance suite, for vitest) is its own entry.
export default packageBuild({ entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' } });
