import { PeftjsError } from '@peftjs/core';
import { ChatTemplate } from './chat-template';
import { isJsonObject, type JsonObject } from './config-fields';

/**
 * The chat template of a checkpoint directory (Node only): `chat_template.jinja` as transformers 5
 * saves it, else `chat_template` in `tokenizer_config.json`, with `bos_token`/`eos_token` from
 * `tokenizer_config.json`; `null` when the checkpoint has none. See {@link ChatTemplate.fromSources}.
 * @throws PeftjsError `E_CHAT_TEMPLATE` for an unreadable tokenizer_config.json or a template that does not parse.
 */
export async function loadChatTemplate(dir: string): Promise<ChatTemplate | null> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const read = (file: string) => fs.readFile(path.join(dir, file), 'utf8').catch(() => null);
  const jinja = await read('chat_template.jinja');
  const configText = await read('tokenizer_config.json');
  let tokenizerConfig: JsonObject | null = null;
  if (configText !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(configText);
    } catch (error) {
      throw new PeftjsError(
        'E_CHAT_TEMPLATE',
        `${path.join(dir, 'tokenizer_config.json')} is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }
    if (!isJsonObject(parsed))
      throw new PeftjsError('E_CHAT_TEMPLATE', `${path.join(dir, 'tokenizer_config.json')} must hold a JSON object`);
    tokenizerConfig = parsed;
  }
  return ChatTemplate.fromSources({ jinja, tokenizerConfig, where: dir });
}
