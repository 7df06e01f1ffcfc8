// Test helpers shared by the peftjs packages' tests. Private: never published, never imported at
// run time (tools/scripts/check-deps.mjs enforces both). Model helpers are on `./models`.
export { runReadmeExample, runReadmeCode, readmeBlock, runExampleFile } from './readme-example';
export type { ReadmeExampleBlocks } from './readme-example';
export { componentCosines, expectComponentsClose, separatedComponents } from './components-close';
export type { ComponentsCloseOptions, ComponentsCloseResult } from './components-close';
export { expectSubspacesClose, principalAngleCosines } from './subspaces-close';
export type { Rows } from './rows';
