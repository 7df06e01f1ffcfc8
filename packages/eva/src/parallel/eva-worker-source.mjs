// Development entry of the EVA worker thread (tests, `npm run demo`): runs the TypeScript
// source through tsx. Published builds use dist/eva-worker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./eva-worker.ts');
