import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readmeBlock, runReadmeExample } from './readme-example';

const dir = mkdtempSync(join(tmpdir(), 'readme-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readme(text: string): URL {
  const path = join(dir, `README-${Math.random().toString(36).slice(2)}.md`);
  writeFileSync(path, text);
  return pathToFileURL(path);
}

const fence = '```';
const twoExamples = readme(
  [
    `${fence}ts`,
    'console.log("not run");',
    fence,
    `${fence}ts example`,
    'console.log({ a: 1 }, "two  ");',
    'console.log(2);',
    fence,
    `${fence}text output`,
    '{ a: 1 } two   ',
    '2',
    fence,
    `${fence}ts second`,
    'console.log("second");',
    fence,
    `${fence}text second-output`,
    'first',
    fence,
  ].join('\n'),
);

describe('runReadmeExample', () => {
  it('runs only the ts example block and returns what it printed beside the output block, normalised', async () => {
    expect(await runReadmeExample(twoExamples)).toEqual({ printed: '{ a: 1 } two\n2', documented: '{ a: 1 } two\n2' });
  });

  it('runs another pair of blocks by info string, so a drifted output shows up', async () => {
    const { printed, documented } = await runReadmeExample(twoExamples, {
      code: 'ts second',
      output: 'text second-output',
    });
    expect(printed).toBe('second');
    expect(documented).toBe('first');
  });

  it('leaves no module file behind and names the missing block', async () => {
    expect(readdirSync(dir).filter((f) => f.startsWith('.readme-example-'))).toEqual([]);
    expect(() => readmeBlock(twoExamples, 'ts missing')).toThrow(/has no ```ts missing block/);
    await expect(runReadmeExample(readme('no blocks'))).rejects.toThrow(/has no ```ts example block/);
  });
});
