import { readmeBlock, runReadmeCode } from '@peftjs/test-utils';

// The README's conformance snippet is a user's test file: run while this file is collected, its
// describe() registers the suite here (vitest reports "no test found" if it registers none). It
// uses the 'topHeavy' allocator that the README's custom-allocator example registers. Its own
// test file (own process), so that registration clashes with no other file's.
const readme = new URL('../README.md', import.meta.url);
await runReadmeCode(readme, readmeBlock(readme, 'ts custom-allocator'));
await runReadmeCode(readme, readmeBlock(readme, 'ts conformance'));
