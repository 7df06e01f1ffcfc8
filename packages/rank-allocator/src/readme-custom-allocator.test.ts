import { rmSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runReadmeExample } from '../../../tools/testing/readme-example';

// Its own test file (own process): the shared runner's temporary module is named by process id.
const readme = new URL('../README.md', import.meta.url);

it('the README custom-allocator example runs and prints its documented output', async () => {
  // Re-label the second example as the shared runner's example/output pair, beside the README so
  // package imports resolve as in a user's file.
  const text = readFileSync(readme, 'utf8');
  const code = /```ts custom-allocator\n([\s\S]*?)```/.exec(text)?.[1];
  const output = /```text custom-allocator-output\n([\s\S]*?)```/.exec(text)?.[1];
  expect(code, 'README needs a ```ts custom-allocator block').toBeDefined();
  expect(output, 'README needs a ```text custom-allocator-output block').toBeDefined();
  const copy = new URL(`../.readme-example-custom-${process.pid}.md`, import.meta.url);
  writeFileSync(copy, `\`\`\`ts example\n${code}\`\`\`\n\n\`\`\`text output\n${output}\`\`\`\n`);
  try {
    const { printed, documented } = await runReadmeExample(copy);
    expect(printed).toBe(documented);
  } finally {
    rmSync(copy, { force: true });
  }
});
