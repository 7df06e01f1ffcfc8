import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PeftjsError } from '@peftjs/core';
import { bundledCheckpoint } from '@peftjs/models/node';
import { describe, expect, it } from 'vitest';
import { reportError } from './report-error';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function capture() {
  const err: string[] = [];
  return { io: { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) } }, err };
}

describe('reportError', () => {
  it('prints a PeftjsError as one line with exit code 2, and its stack only with --verbose', () => {
    const a = capture();
    expect(reportError(new PeftjsError('E_CONFIG', 'bad "r"\n  use a positive integer'), a.io, false)).toBe(2);
    expect(a.err.join('')).toBe('peftjs: bad "r" use a positive integer\n');
    const b = capture();
    reportError(new PeftjsError('E_CONFIG', 'bad'), b.io, true);
    expect(b.err.join('')).toMatch(/\n\s+at /);
  });

  it('prints anything else as one line asking for --verbose, exit code 1, the stack only with --verbose', () => {
    const a = capture();
    expect(reportError(new TypeError('x is undefined'), a.io, false)).toBe(1);
    expect(a.err.join('')).toBe(
      'peftjs: internal error (TypeError: x is undefined); rerun with --verbose and report it\n',
    );
    const b = capture();
    expect(reportError('thrown string', b.io, true)).toBe(1);
    expect(b.err.join('')).toMatch(
      /^peftjs: internal error \(string: thrown string\); rerun with --verbose and report it\nthrown string\n$/,
    );
  });
});

describe('the peftjs process', () => {
  it('exits 2 with one line, never the wasm module source, when a model rejects the input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peftjs-main-'));
    await writeFile(join(dir, 'text.txt'), 'It was the best of times, it was the worst of times. '.repeat(400));
    const args = [
      'eva',
      'init',
      '--model',
      bundledCheckpoint('gpt2-sotu-byte'),
      '--text',
      join(dir, 'text.txt'),
      '--out',
      join(dir, 'out'),
      '--seq-len',
      '4096',
      '--batch-size',
      '2',
    ];
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=@peftjs/source', 'tools/scripts/peftjs.ts', ...args],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, PEFTJS_BACKEND: 'wasm' },
        timeout: 120_000,
      },
    );
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toBe(
      'peftjs: GPT-2: sequence length 4096 exceeds n_positions 128; truncate or window the input to 128 tokens\n',
    );
  }, 120_000);
});
