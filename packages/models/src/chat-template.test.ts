import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPeftjsError } from '@peftjs/core';
import { describe, expect, it } from 'vitest';
import { ChatTemplate, type ChatMessage } from './chat-template';
import { fixtureDir } from './fixtures.test-support';
import { loadChatTemplate } from './load-chat-template';

interface Case {
  template: string;
  messages: ChatMessage[];
  add_generation_prompt: boolean;
  text?: string;
  error?: string;
}
/** Rendered by Python Jinja2 as transformers does (tools/models/make_chat_template_fixture.py). */
const reference = JSON.parse(readFileSync(join(fixtureDir('chat-templates'), 'reference.json'), 'utf8')) as {
  templates: Record<string, string>;
  cases: Case[];
};

describe('ChatTemplate', () => {
  it('renders every reference conversation exactly as Python Jinja2 (trim_blocks, lstrip_blocks) does', () => {
    for (const c of reference.cases) {
      const template = new ChatTemplate(reference.templates[c.template] as string, {
        bosToken: '<s>',
        eosToken: '</s>',
      });
      const render = () => template.render(c.messages, { addGenerationPrompt: c.add_generation_prompt });
      const label = `${c.template} ${JSON.stringify(c.messages)} ${c.add_generation_prompt}`;
      if (c.text !== undefined) expect(render(), label).toBe(c.text);
      else {
        expect(render, label).toThrow(c.error as string);
        try {
          render();
        } catch (error) {
          expect(isPeftjsError(error) && error.code === 'E_CHAT_TEMPLATE').toBe(true);
        }
      }
    }
  });

  it('picks chat_template.jinja first, then tokenizer_config.json (string, or the "default" of a list), with AddedToken special tokens', () => {
    const config = {
      chat_template: '{{ bos_token }}config',
      bos_token: { content: '<B>', special: true },
      eos_token: '</E>',
    };
    expect(
      ChatTemplate.fromSources({ jinja: '{{ eos_token }}jinja', tokenizerConfig: config, where: 'x' })?.render([]),
    ).toBe('</E>jinja');
    expect(ChatTemplate.fromSources({ tokenizerConfig: config, where: 'x' })?.render([])).toBe('<B>config');
    const list = {
      chat_template: [
        { name: 'tool_use', template: 'tools' },
        { name: 'default', template: 'plain' },
      ],
    };
    expect(ChatTemplate.fromSources({ tokenizerConfig: list, where: 'x' })?.render([])).toBe('plain');
    expect(ChatTemplate.fromSources({ tokenizerConfig: {}, where: 'x' })).toBeNull();
    expect(() => ChatTemplate.fromSources({ tokenizerConfig: { chat_template: 3 }, where: 'ckpt' })).toThrow(
      /ckpt: tokenizer_config.json's chat_template must be a string/,
    );
    expect(() => new ChatTemplate('{% for x in %}')).toThrow(/The chat template does not parse/);
  });

  it("loads a checkpoint directory's template from chat_template.jinja or tokenizer_config.json, or none", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peftjs-chat-'));
    expect(await loadChatTemplate(dir)).toBeNull();
    await writeFile(
      join(dir, 'tokenizer_config.json'),
      JSON.stringify({ chat_template: reference.templates['inst'], bos_token: '<s>', eos_token: '</s>' }),
    );
    const messages = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello there.' },
    ];
    expect((await loadChatTemplate(dir))?.render(messages)).toBe('<s>[INST] Hi [/INST] Hello there.</s>');
    await writeFile(join(dir, 'chat_template.jinja'), reference.templates['chatml'] as string);
    expect((await loadChatTemplate(dir))?.render(messages)).toBe(
      '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello there.<|im_end|>\n',
    );
    await writeFile(join(dir, 'tokenizer_config.json'), '{ not json');
    await expect(loadChatTemplate(dir)).rejects.toThrow(/tokenizer_config.json is not valid JSON/);
  });
});
