export { streamingDecomposerConformance } from './conformance';
