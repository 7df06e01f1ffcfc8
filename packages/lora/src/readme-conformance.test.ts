import { readmeBlock, runReadmeCode } from '@peftjs/test-utils';

// The README's conformance snippet is a user's test file: run while this file is collected, its
// beforeAll() and describe() register here (vitest reports "no test found" if it registers none).
// Its own test file (own process), so the initialiser it registers clashes with no other file's.
const readme = new URL('../README.md', import.meta.url);
await runReadmeCode(readme, readmeBlock(readme, 'ts conformance'));
