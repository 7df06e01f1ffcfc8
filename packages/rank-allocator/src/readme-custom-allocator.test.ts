import { expect, it } from 'vitest';
import { runReadmeExample } from '@peftjs/test-utils';

// Its own test file (own process): the example registers 'topHeavy', which another file's run would clash with.
it('the README custom-allocator example runs and prints its documented output', async () => {
  const { printed, documented } = await runReadmeExample(new URL('../README.md', import.meta.url), {
    code: 'ts custom-allocator',
    output: 'text custom-allocator-output',
  });
  expect(printed).toBe(documented);
});
