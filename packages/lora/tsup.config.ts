import { packageBuild } from '../../tsup.shared.ts';

// `./node` (file IO, Node only) is its own entry, so the main one runs in a browser.
// `./testing` (the LoraInitializer and LoraVariant conformance suites, for vitest) is its own entry.
// It imports this package by name, kept external so that it sees the registries the user's code
// fills (a bundled copy would have its own, empty of the user's initialisers and variants).
export default packageBuild({
  entry: { index: 'src/index.ts', node: 'src/node.ts', testing: 'src/testing/index.ts' },
  external: [/^@tensorflow\//, /^@peftjs\/lora$/],
});
