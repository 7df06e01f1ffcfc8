import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';

/** Which fenced blocks of a README form an example: the code's and the expected output's info strings. */
export interface ReadmeExampleBlocks {
  /** Info string of the code block (default `'ts example'`). */
  readonly code?: string;
  /** Info string of the expected-output block that follows it (default `'text output'`). */
  readonly output?: string;
}

/**
 * Runs the ```` ```ts example ```` block of a package README and returns what it printed next to the
 * ```` ```text output ```` block that follows it, so the docs cannot drift from the code. Other
 * blocks are not run unless named in `blocks` (e.g. `{ code: 'ts custom-allocator', output:
 * 'text custom-allocator-output' }` for a second example). Both texts are normalised: trailing
 * whitespace dropped, ends trimmed.
 *
 * @throws Error naming the README and the info strings when either block is missing.
 */
export async function runReadmeExample(
  readme: URL,
  blocks: ReadmeExampleBlocks = {},
): Promise<{ printed: string; documented: string }> {
  const code = readmeBlock(readme, blocks.code ?? 'ts example');
  const documented = readmeBlock(readme, blocks.output ?? 'text output');
  return { printed: await runReadmeCode(readme, code), documented: normalise(documented) };
}

/**
 * The body of the first fenced block whose info string is exactly `info` (e.g. `'ts conformance'`).
 *
 * @throws Error naming the README and `info` when it has no such block.
 */
export function readmeBlock(readme: URL, info: string): string {
  const path = fileURLToPath(readme);
  const text = readFileSync(path, 'utf8');
  const escaped = info.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const body = new RegExp(`^\`\`\`${escaped}\\n([\\s\\S]*?)^\`\`\``, 'm').exec(text)?.[1];
  if (body === undefined) throw new Error(`${path} has no \`\`\`${info} block`);
  return body;
}

/**
 * Imports `code` as a module written beside the README (so package imports resolve exactly as in a
 * user's file there) and returns what it printed with `console.log`, normalised. A block that
 * calls vitest's `describe`/`it` registers its tests when this is awaited at a test file's top level.
 */
export async function runReadmeCode(readme: URL, code: string): Promise<string> {
  return runExampleCode(code, dirname(fileURLToPath(readme)));
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

let written = 0;

async function runExampleCode(code: string, dir: string): Promise<string> {
  // `.readme-example-*.ts` is git-ignored; a counter keeps two runs in one millisecond apart.
  const file = join(dir, `.readme-example-${process.pid}-${Date.now()}-${written++}.ts`);
  writeFileSync(file, code);
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(format(...args));
  try {
    await import(/* @vite-ignore */ file);
  } finally {
    console.log = original;
    rmSync(file, { force: true });
  }
  return normalise(lines.join('\n'));
}

function normalise(text: string): string {
  return text.replace(/\s+$/gm, '').trim();
}
