import { Template } from '@huggingface/jinja';
import { PeftjsError } from '@peftjs/core';
import { isJsonObject, type JsonObject } from './config-fields';

/** One chat turn, as in Hugging Face's `messages` lists (`role`: `system`, `user`, `assistant`, ...). */
export interface ChatMessage {
  /** Who speaks: `system`, `user`, `assistant`, or another role the template knows. */
  readonly role: string;
  /** The turn's text. */
  readonly content: string;
}

/** Where {@link ChatTemplate.fromSources} looks for a checkpoint's template. */
export interface ChatTemplateSources {
  /** Contents of `chat_template.jinja` (transformers 5 saves the template there), if the checkpoint has it. */
  readonly jinja?: string | null;
  /** Parsed `tokenizer_config.json`: its `chat_template` (transformers 4) and `bos_token`/`eos_token`. */
  readonly tokenizerConfig?: JsonObject | null;
  /** Where the sources came from, for error messages (a directory). */
  readonly where: string;
}

/**
 * A checkpoint's chat template, rendered by `@huggingface/jinja` with the variables transformers'
 * `apply_chat_template` passes: `messages`, `add_generation_prompt`, `bos_token`, `eos_token`.
 * Browser-safe; read one from a checkpoint directory with `loadChatTemplate` (Node).
 */
export class ChatTemplate {
  /** The Jinja source. */
  readonly source: string;
  /** The string the template inserts as `bos_token` (`''` when none). */
  readonly bosToken: string;
  /** The string the template inserts as `eos_token` (`''` when none). */
  readonly eosToken: string;
  private readonly template: Template;

  /**
   * @param source - Jinja source of the template.
   * @param specialTokens - the strings the template may insert as `bos_token` / `eos_token` (default empty).
   * @throws PeftjsError `E_CHAT_TEMPLATE` when the source does not parse.
   */
  constructor(source: string, specialTokens: { bosToken?: string; eosToken?: string } = {}) {
    this.source = source;
    this.bosToken = specialTokens.bosToken ?? '';
    this.eosToken = specialTokens.eosToken ?? '';
    try {
      this.template = new Template(source);
    } catch (error) {
      throw new PeftjsError(
        'E_CHAT_TEMPLATE',
        `The chat template does not parse (${errorText(error)}); fix chat_template.jinja or the chat_template field of tokenizer_config.json`,
        { cause: error },
      );
    }
  }

  /**
   * Picks the template as transformers 5 does: `chat_template.jinja` first, else `chat_template`
   * in `tokenizer_config.json` (a string, or a list of `{ name, template }` of which `default` is used).
   * Returns `null` when the checkpoint has no chat template.
   * @throws PeftjsError `E_CHAT_TEMPLATE` for a malformed `chat_template` field or a template that does not parse.
   */
  static fromSources(sources: ChatTemplateSources): ChatTemplate | null {
    const config = sources.tokenizerConfig ?? {};
    const specialTokens = { bosToken: tokenText(config['bos_token']), eosToken: tokenText(config['eos_token']) };
    if (typeof sources.jinja === 'string') return new ChatTemplate(sources.jinja, specialTokens);
    const field = config['chat_template'];
    if (field === undefined || field === null) return null;
    if (typeof field === 'string') return new ChatTemplate(field, specialTokens);
    if (Array.isArray(field)) {
      const named = field.find((t) => isJsonObject(t) && t['name'] === 'default');
      if (isJsonObject(named) && typeof named['template'] === 'string')
        return new ChatTemplate(named['template'], specialTokens);
    }
    throw new PeftjsError(
      'E_CHAT_TEMPLATE',
      `${sources.where}: tokenizer_config.json's chat_template must be a string or a list with a {"name": "default", "template": ...} entry`,
    );
  }

  /**
   * Renders `messages` to the text the model sees (`apply_chat_template(..., tokenize=False)`).
   * @param options.addGenerationPrompt - append the header of an assistant turn (for generation).
   * @throws PeftjsError `E_CHAT_TEMPLATE` when the template raises (for example on a role order it does not accept).
   */
  render(messages: readonly ChatMessage[], options: { addGenerationPrompt?: boolean } = {}): string {
    try {
      return this.template.render({
        messages: messages.map((m) => ({ ...m })),
        add_generation_prompt: options.addGenerationPrompt ?? false,
        bos_token: this.bosToken,
        eos_token: this.eosToken,
      });
    } catch (error) {
      throw new PeftjsError(
        'E_CHAT_TEMPLATE',
        `The chat template failed on a conversation of ${messages.length} message(s): ${errorText(error)}`,
        { cause: error },
      );
    }
  }
}

/** A special token as tokenizer_config.json stores it: a string, or an AddedToken object `{ content }`. */
function tokenText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isJsonObject(value) && typeof value['content'] === 'string') return value['content'];
  return '';
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
