import { packageTest } from '../../vitest.shared.ts';

export default packageTest({ testTimeout: 120_000 });
