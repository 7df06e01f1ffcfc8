import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend } from '@peftjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } }, out, err };
}

let dir = '';
beforeAll(async () => {
  await setBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'peftjs-cli-'));
});

describe('peftjs CLI', () => {
  it('prints help for every command with exit code 0', async () => {
    for (const argv of [['--help'], ['demo', '--help'], ['eva', 'init', '--help'], ['train', '-h'], ['help', 'train']]) {
      const { io: streams, out } = io();
      expect(await runCli(argv, streams)).toBe(0);
      expect(out.join('')).toMatch(/Usage: peftjs/);
    }
  });

  it('reports user mistakes in one line with a non-zero exit code and no stack trace', async () => {
    const empty = join(dir, 'empty.txt');
    const binary = join(dir, 'latin1.txt');
    const notCheckpoint = join(dir, 'not-a-checkpoint');
    await writeFile(empty, '  \n');
    await writeFile(binary, Buffer.from([0x68, 0xe9, 0x6c, 0x6c, 0xff]));
    await mkdir(notCheckpoint, { recursive: true });
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['eva'], /did you mean `peftjs eva init`/],
      [['eva', 'init', '--text', empty, '--out', dir], /--model is required/],
      [['eva', 'init', '--model', notCheckpoint, '--text', empty, '--out', dir], /the file is empty/],
      [['eva', 'init', '--model', notCheckpoint, '--text', binary, '--out', dir], /not valid UTF-8/],
      [['eva', 'init', '--model', notCheckpoint, '--text', join(dir, 'missing.txt'), '--out', dir], /no such file/],
      [['train', '--model', join(dir, 'nope'), '--text', join(dir, 'x.txt'), '--init', 'eva', '--steps', '3', '--out', dir], /no such file/],
      [['train', '--model', dir, '--text', empty, '--init', 'magic', '--steps', '3', '--out', dir], /--init must be one of eva, kaiming/],
      [['demo', '--bogus'], /Unknown option '--bogus'/],
      [['eva', 'init', '--model', dir, '--text', empty, '--out', dir, '--r', '0'], /--r must be an integer >= 1/],
    ];
    for (const [argv, message] of cases) {
      const { io: streams, err } = io();
      const code = await runCli(argv, streams);
      expect(code, argv.join(' ')).toBeGreaterThan(0);
      expect(err.join(''), argv.join(' ')).toMatch(message);
      expect(err.join('')).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('rejects a directory that is not a checkpoint, after the text checks pass', async () => {
    const text = join(dir, 'text.txt');
    await writeFile(text, 'Call me Ishmael. '.repeat(50));
    const notCheckpoint = join(dir, 'plain-dir');
    await mkdir(notCheckpoint, { recursive: true });
    const { io: streams, err } = io();
    expect(await runCli(['eva', 'init', '--model', notCheckpoint, '--text', text, '--out', dir], streams)).toBe(2);
    expect(err.join('')).toMatch(/not a checkpoint directory \(no config.json\)/);
  });
});
