import { expect, it } from 'vitest';
import { runReadmeExample } from './readme-example';

it('the README example runs and prints its documented output', async () => {
  const { printed, documented } = await runReadmeExample(new URL('../README.md', import.meta.url));
  expect(printed).toBe(documented);
});
