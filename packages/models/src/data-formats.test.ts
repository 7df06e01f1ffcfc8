import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPeftjsError } from '@peftjs/core';
import { describe, expect, it } from 'vitest';
import { detectDataFormat, parseDataset } from './data-formats';
import { readDataset } from './read-dataset';

function codeOf(run: () => unknown): string | null {
  try {
    run();
  } catch (error) {
    return isPeftjsError(error) ? error.code : 'not a PeftjsError';
  }
  return null;
}

describe('data formats', () => {
  it('detects the format from the first line, and plain text otherwise', () => {
    expect(detectDataFormat('{"messages": [{"role": "user", "content": "x"}]}\n', 'd.jsonl')).toBe('chat');
    expect(detectDataFormat('\n{"prompt": "a", "completion": "b", "id": 3}', 'd.jsonl')).toBe('prompt-completion');
    expect(detectDataFormat('{"text": "a"}', 'd.json')).toBe('jsonl-text');
    expect(detectDataFormat('Call me Ishmael.\n{"text": 1}', 'moby.txt')).toBe('text');
    expect(() => detectDataFormat('{"question": "a"}', 'd.jsonl')).toThrow(
      /d.jsonl: cannot tell the format from line 1's fields \(question\)/,
    );
    expect(() => detectDataFormat('\n\nnot json', 'd.jsonl')).toThrow(/d.jsonl: line 3 is not a JSON object/);
  });

  it('reads the records of each format, skipping blank lines', () => {
    const chat = parseDataset(
      '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]}\n\n',
      { source: 'c.jsonl' },
    );
    expect(chat).toEqual({
      format: 'chat',
      source: 'c.jsonl',
      records: [
        {
          kind: 'chat',
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'Yo' },
          ],
        },
      ],
    });
    const pc = parseDataset('{"prompt": "2+2=", "completion": "4"}\n{"prompt": "1+1=", "completion": "2"}', {
      source: 'p.jsonl',
    });
    expect(pc.records).toEqual([
      { kind: 'prompt-completion', prompt: '2+2=', completion: '4' },
      { kind: 'prompt-completion', prompt: '1+1=', completion: '2' },
    ]);
    expect(parseDataset('{"text": "a"}\n{"text": "b"}\n', { source: 't.jsonl' }).records).toEqual([
      { kind: 'text', text: 'a' },
      { kind: 'text', text: 'b' },
    ]);
    // An explicit format reads a JSON-looking file as plain text.
    expect(parseDataset('{"text": "a"}', { source: 't.jsonl', format: 'text' }).records).toEqual([
      { kind: 'text', text: '{"text": "a"}' },
    ]);
  });

  it('reports every bad line by its number (the first five listed), as one PeftjsError', () => {
    const lines = [
      '{"prompt": "a", "completion": "b"}',
      '{"prompt": "a"}',
      'oops',
      '',
      '[1, 2]',
      '{"prompt": 1, "completion": "b"}',
    ];
    const run = () => parseDataset(lines.join('\n'), { source: 'p.jsonl' });
    expect(codeOf(run)).toBe('E_DATA_LINE');
    expect(run).toThrow(
      /p.jsonl: 4 bad line\(s\) for format prompt-completion: line 2: "completion" must be a string, got nothing; line 3: not valid JSON \(.*\); line 5: expected a JSON object, got an array; line 6: "prompt" must be a string, got 1\. Fix or remove them/,
    );
    const many = Array.from({ length: 8 }, () => 'x').join('\n');
    expect(() => parseDataset(many, { source: 'm.jsonl', format: 'jsonl-text' })).toThrow(
      /8 bad line\(s\).*line 5: .*; and 3 more/,
    );
    expect(() => parseDataset('{"messages": []}', { source: 'c.jsonl' })).toThrow(
      /line 1: "messages" must be a non-empty list/,
    );
    expect(() => parseDataset('{"messages": [{"role": "user"}]}', { source: 'c.jsonl' })).toThrow(
      /line 1: messages\[0\] must be an object with string "role" and "content"/,
    );
  });

  it('rejects empty data and unknown formats', () => {
    expect(codeOf(() => parseDataset(' \n', { source: 'e.txt' }))).toBe('E_DATA_EMPTY');
    expect(codeOf(() => parseDataset('\n\n', { source: 'e.jsonl', format: 'chat' }))).toBe('E_DATA_EMPTY');
    expect(codeOf(() => parseDataset('x', { source: 'e.txt', format: 'csv' as 'text' }))).toBe('E_DATA_FORMAT');
  });

  it('readDataset reads a UTF-8 file, and names a missing or non-UTF-8 file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peftjs-data-'));
    const file = join(dir, 'd.jsonl');
    await writeFile(file, '{"text": "é"}\n');
    expect((await readDataset(file)).records).toEqual([{ kind: 'text', text: 'é' }]);
    await expect(readDataset(join(dir, 'missing.jsonl'))).rejects.toThrow(/missing.jsonl: no such file/);
    await writeFile(file, Buffer.from([0x68, 0xe9, 0xff]));
    await expect(readDataset(file)).rejects.toThrow(/not valid UTF-8/);
  });
});
