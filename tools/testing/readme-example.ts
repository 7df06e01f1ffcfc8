import { rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';

/**
 * Runs the ```ts example block of a package README and returns what it printed next to the
 * ```text output block that follows it, so the docs cannot drift from the code.
 */
export async function runReadmeExample(readme: URL): Promise<{ printed: string; documented: string }> {
  const path = fileURLToPath(readme);
  const text = readFileSync(path, 'utf8');
  const code = /```ts example\n([\s\S]*?)```/.exec(text)?.[1];
  const documented = /```text output\n([\s\S]*?)```/.exec(text)?.[1];
  if (code === undefined || documented === undefined) {
    throw new Error(`${path} needs a \`\`\`ts example block followed by a \`\`\`text output block`);
  }
  // Written beside the README so that package imports resolve exactly as a user's file would.
  return { printed: await runExampleCode(code, dirname(path)), documented: normalise(documented) };
}

/**
 * Runs a docs example file (e.g. `docs/snippets/eva-example.ts`) and returns what it printed next
 * to its recorded output file (written by `npm run docs:record-example`).
 */
export async function runExampleFile(example: URL, recorded: URL): Promise<{ printed: string; documented: string }> {
  const path = fileURLToPath(example);
  const printed = await runExampleCode(readFileSync(path, 'utf8'), dirname(path));
  return { printed, documented: normalise(readFileSync(fileURLToPath(recorded), 'utf8')) };
}

async function runExampleCode(code: string, dir: string): Promise<string> {
  const file = join(dir, `.readme-example-${process.pid}-${Date.now()}.ts`);
  writeFileSync(file, code);
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(format(...args));
  try {
    await import(/* @vite-ignore */ `${file}?t=${Date.now()}`);
  } finally {
    console.log = original;
    rmSync(file, { force: true });
  }
  return normalise(lines.join('\n'));
}

function normalise(text: string): string {
  return text.replace(/\s+$/gm, '').trim();
}
