import { expect, it } from 'vitest';
import { runExampleFile } from '@peftjs/test-utils';

it('the docs getting-started EVA example prints its recorded output', async () => {
  const { printed, documented } = await runExampleFile(
    new URL('../../../docs/snippets/eva-example.ts', import.meta.url),
    new URL('../../../docs/snippets/eva-example.output.txt', import.meta.url),
  );
  expect(printed).toBe(documented);
}, 180_000);
