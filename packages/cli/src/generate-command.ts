import { isPeftjsError, PeftjsError } from '@peftjs/core';
import { loadAdapter } from '@peftjs/lora/node';
import { generate } from '@peftjs/models';
import { loadChatTemplate } from '@peftjs/models/node';
import { integerOption, numberOption, parseCommandArgs, requiredString } from './args';
import { BACKEND_HELP, BACKEND_OPTIONS, selectBackend } from './backend-options';
import { eosTokenIds } from './eos-token-ids';
import { CliError, type CliIo } from './cli-error';
import { loadCausalLm, tokenizerFor } from './inputs';

export const GENERATE_HELP = `Usage: peftjs generate --model DIR [--adapter DIR] (--prompt TEXT | --chat TEXT) [options]

Writes a continuation of a prompt with a checkpoint (and optionally a LoRA adapter), one token at
a time with a key/value cache; stops at the checkpoint's EOS (generation_config.json, config.json)
or after --max-new-tokens. Prints the text on stdout and tokens/s on stderr.

Options:
  --model DIR          checkpoint directory with its tokenizer                      (required)
  --adapter DIR        a LoRA adapter in PEFT's layout to apply first
  --prompt TEXT        text to continue, tokenized as the tokenizer does (BOS included if it adds one)
  --chat TEXT          a user message, rendered by the checkpoint's chat template with the
                       assistant prompt appended
  --max-new-tokens N   tokens to generate at most                      default: 64
  --temperature X      0 = greedy; > 0 samples softmax(logits / X)      default: 0
  --top-k N            sample among the N most likely tokens
  --top-p X            sample among the most likely tokens totalling probability X
  --seed N             sampling seed                                     default: 1
  --no-cache           recompute the whole sequence for every token (slow; for comparison)
  --json               print {"text", "tokens", "stoppedBy", "tokensPerSecond", ...} instead of the text
${BACKEND_HELP.replace(/^( {2}--\S+ \S+) {5}/gm, '$1       ')}
  -h, --help           show this help
`;

export async function generateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const cmd = 'generate';
  const values = parseCommandArgs(cmd, argv, {
    model: { type: 'string' },
    adapter: { type: 'string' },
    prompt: { type: 'string' },
    chat: { type: 'string' },
    'max-new-tokens': { type: 'string' },
    temperature: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    seed: { type: 'string' },
    'no-cache': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    ...BACKEND_OPTIONS,
  });
  if (values.help === true) {
    io.stdout.write(GENERATE_HELP);
    return 0;
  }
  const modelDir = requiredString(cmd, values, 'model');
  if ((values.prompt === undefined) === (values.chat === undefined))
    throw new CliError(
      `${cmd}: give exactly one of --prompt TEXT or --chat TEXT. Run \`peftjs ${cmd} --help\` for usage.`,
    );
  const temperature = numberOption(cmd, values, 'temperature', 0);
  if (temperature < 0)
    throw new CliError(`${cmd}: --temperature must be >= 0 (0 = greedy), got "${String(values.temperature)}"`);
  const topP = values['top-p'] === undefined ? undefined : numberOption(cmd, values, 'top-p', 1);
  if (topP !== undefined && !(topP > 0 && topP <= 1))
    throw new CliError(`${cmd}: --top-p must be in (0, 1], got "${String(values['top-p'])}"`);
  const options = {
    maxNewTokens: integerOption(cmd, values, 'max-new-tokens', 64),
    temperature,
    ...(values['top-k'] === undefined ? {} : { topK: integerOption(cmd, values, 'top-k', 1) }),
    ...(topP === undefined ? {} : { topP }),
    seed: integerOption(cmd, values, 'seed', 1, 0),
    useCache: values['no-cache'] !== true,
  };
  const { record: backend, progress } = await selectBackend(cmd, values, io);
  const model = await loadCausalLm(modelDir);
  try {
    const tokenizer = await tokenizerFor(modelDir, model);
    let promptIds: number[];
    if (typeof values.chat === 'string') {
      const template = await loadChatTemplate(modelDir);
      if (template === null)
        throw new CliError(
          `${cmd}: --model ${modelDir} has no chat template (chat_template.jinja or tokenizer_config.json's chat_template); use --prompt`,
        );
      const encode: (text: string, options?: { addSpecialTokens?: boolean }) => number[] =
        tokenizer.encode.bind(tokenizer);
      // As transformers' apply_chat_template: the template writes the special tokens itself.
      promptIds = encode(template.render([{ role: 'user', content: values.chat }], { addGenerationPrompt: true }), {
        addSpecialTokens: false,
      });
    } else {
      promptIds = tokenizer.encode(values.prompt ?? '');
    }
    if (promptIds.length === 0)
      throw new CliError(`${cmd}: the prompt has no tokens (the tokenizer adds no BOS); give some text`);
    if (typeof values.adapter === 'string') {
      try {
        await loadAdapter(model, values.adapter);
      } catch (error) {
        if (isPeftjsError(error))
          throw new PeftjsError(error.code, `--adapter ${values.adapter}: ${error.message}`, { cause: error });
        throw error;
      }
    }
    const eos = await eosTokenIds(modelDir, tokenizer.eosTokenId);
    const result = generate(model, promptIds, { ...options, eosTokenIds: eos });
    const shown = result.stoppedBy === 'eos' ? result.tokens.slice(0, -1) : result.tokens;
    const text = tokenizer.decode(shown);
    if (values.json === true) {
      io.stdout.write(
        `${JSON.stringify({ text, tokens: result.tokens, promptTokens: promptIds.length, stoppedBy: result.stoppedBy, cache: options.useCache, seconds: result.seconds, prefillSeconds: result.prefillSeconds, tokensPerSecond: result.tokensPerSecond, backend })}\n`,
      );
    } else {
      io.stdout.write(`${text}\n`);
    }
    progress.write(
      `${result.tokens.length} token(s) in ${result.seconds.toFixed(2)} s: ${result.tokensPerSecond.toFixed(1)} tokens/s ` +
        `(prompt ${promptIds.length} tokens, prefill ${result.prefillSeconds.toFixed(2)} s, ${options.useCache ? 'KV cache' : 'no cache'}); stopped by ${result.stoppedBy}\n`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}
