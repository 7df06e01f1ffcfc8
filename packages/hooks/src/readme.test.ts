import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { expect, it, vi } from 'vitest';

/** Runs the README's example as written and compares what it prints with the README's expected output. */
it('the README example prints its documented output', async () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  const expected = /```text\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  expect(code?.split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(15 + 3); // 15 lines after the imports
  const dir = join(__dirname, '..', 'node_modules', '.readme-example'); // ignored by git and tsc
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'example.ts');
  writeFileSync(file, code as string);
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(format(...args)));
  try {
    await import(file);
  } finally {
    log.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
  expect(`${lines.join('\n')}\n`).toBe(expected);
});
