import './tfjs-gradients.test-support';
import { expect, it } from 'vitest';
import { runReadmeExample } from '@peftjs/test-utils';

it('the README example runs and prints its documented output', async () => {
  const { printed, documented } = await runReadmeExample(new URL('../README.md', import.meta.url));
  expect(printed).toBe(documented);
});
