export { rankAllocatorConformance } from './conformance';
export type { RankAllocatorConformanceOptions } from './conformance';
