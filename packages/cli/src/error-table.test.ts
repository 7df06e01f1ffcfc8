import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setBackend } from '@peftjs/core';
import { bundledCheckpoint } from '@peftjs/models/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli';

/** The rows of the README's error table: `| \`command\` | \`expected stderr\` |`. */
function errorTable(readme: string): { command: string; expected: string }[] {
  const section = readme.slice(readme.indexOf('## Errors'));
  return [...section.matchAll(/^\| `([^`]+)` \| `([^`]+)` \|$/gm)].map((m) => ({
    command: m[1] as string,
    expected: m[2] as string,
  }));
}

const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
const rows = errorTable(readme);
const places: Record<string, string> = {};

beforeAll(async () => {
  await setBackend('wasm');
  const dir = await mkdtemp(join(tmpdir(), 'peftjs-errors-'));
  const gpt2 = bundledCheckpoint('gpt2-sotu-byte');
  const truncated = join(dir, 'truncated-gpt2');
  await mkdir(truncated);
  await copyFile(join(gpt2, 'config.json'), join(truncated, 'config.json'));
  await writeFile(
    join(truncated, 'model.safetensors'),
    (await readFile(join(gpt2, 'model.safetensors'))).subarray(0, 100_000),
  );
  await mkdir(join(dir, 'plain-dir'));
  await writeFile(
    join(dir, 'text.txt'),
    'Call me Ishmael. Some years ago, never mind how long precisely, I thought I would sail about. '.repeat(400),
  );
  await writeFile(join(dir, 'empty.txt'), ' \n\n');
  const turn = JSON.stringify({
    messages: [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
    ],
  });
  await writeFile(join(dir, 'chat.jsonl'), `${turn}\n`);
  await writeFile(join(dir, 'bad-chat.jsonl'), `${turn}\n{"messages": []}\n`);
  Object.assign(places, {
    '<gpt2>': gpt2,
    '<llama>': fileURLToPath(new URL('../test/fixtures/llama-tiny', import.meta.url)),
    '<text>': join(dir, 'text.txt'),
    '<empty-text>': join(dir, 'empty.txt'),
    '<missing-text>': join(dir, 'missing.txt'),
    '<missing-dir>': join(dir, 'no-such-dir'),
    '<plain-dir>': join(dir, 'plain-dir'),
    '<truncated-gpt2>': truncated,
    '<out>': join(dir, 'out'),
    '<chat>': join(dir, 'chat.jsonl'),
    '<bad-chat>': join(dir, 'bad-chat.jsonl'),
  });
});

const fill = (text: string) => text.replace(/<[a-z0-9-]+>/g, (p) => places[p] ?? p);

describe('the README error table', () => {
  it('has the rows the CLI promises', () => {
    expect(rows.length).toBeGreaterThanOrEqual(11);
  });

  it.each(rows)(
    'peftjs $command',
    async ({ command, expected }) => {
      const out: string[] = [];
      const err: string[] = [];
      const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
      const code = await runCli(fill(command).split(' '), io);
      const stderr = err.join('');
      expect(code, stderr).toBe(2);
      expect(stderr.endsWith('\n') && stderr.indexOf('\n') === stderr.length - 1, `one line: ${stderr}`).toBe(true);
      expect(stderr).not.toMatch(/\bat .+:\d+:\d+/); // no stack frame
      const want = fill(expected);
      if (want.endsWith('...')) expect(stderr.startsWith(want.slice(0, -3)), stderr).toBe(true);
      else expect(stderr.trimEnd()).toBe(want);
    },
    120_000,
  );
});
