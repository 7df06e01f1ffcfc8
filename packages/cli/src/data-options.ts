import {
  DATA_FORMATS,
  exampleBatches,
  prepareDataset,
  type DataFormat,
  type ExampleBatches,
  type PretrainedModel,
  type TokenizedDataset,
} from '@peftjs/models';
import { loadChatTemplate, readDataset } from '@peftjs/models/node';
import { integerOption, numberOption, requiredString } from './args';
import { CliError, type CliIo } from './cli-error';
import { tokenizerFor } from './inputs';

/** The fine-tuning data options of `eva init` and `train`. */
export const DATA_OPTIONS = {
  data: { type: 'string' },
  format: { type: 'string' },
  'max-length': { type: 'string' },
  'eval-data': { type: 'string' },
  'eval-fraction': { type: 'string' },
} as const;

/** Help lines for {@link DATA_OPTIONS}. */
export const DATA_HELP = `  --data FILE        training data instead of --text: plain text, or JSONL with "text",
                     "prompt"/"completion" or chat "messages" (rendered by the checkpoint's
                     chat template); only completions / assistant turns are scored
  --format NAME      ${DATA_FORMATS.join('|')}                  default: detected
  --max-length N     tokens per sequence (packed text; longer examples are truncated) default: 512
  --eval-data FILE   held-out data in the same format (train reports its loss)
  --eval-fraction X  hold out this fraction of --data instead (seeded by --seed)
`;

/** What the data options ask for. */
export interface DataInput {
  readonly path: string;
  readonly format: DataFormat | undefined;
  readonly maxLength: number;
  readonly evalData: string | null;
  readonly evalFraction: number | null;
}

/** Where the training tokens come from: a text file cut into windows (`--text`), or fine-tuning data (`--data`). */
export type TrainingInput = { readonly kind: 'text'; readonly path: string } | ({ readonly kind: 'data' } & DataInput);

/** Reads and checks `--text` or the data options (before any file is touched). */
export function readTrainingInput(command: string, values: Record<string, unknown>): TrainingInput {
  const path = values['data'];
  if (typeof path !== 'string') {
    for (const name of ['format', 'max-length', 'eval-data', 'eval-fraction']) {
      if (values[name] !== undefined)
        throw new CliError(`${command}: --${name} applies to --data; give the data with --data FILE`);
    }
    return { kind: 'text', path: requiredString(command, values, 'text') };
  }
  if (values['text'] !== undefined) throw new CliError(`${command}: give either --text or --data, not both`);
  const format = values['format'];
  if (format !== undefined && !DATA_FORMATS.includes(format as DataFormat)) {
    throw new CliError(`${command}: --format must be one of ${DATA_FORMATS.join(', ')}; got "${String(format)}"`);
  }
  const evalData = typeof values['eval-data'] === 'string' ? values['eval-data'] : null;
  const evalFraction = values['eval-fraction'] === undefined ? null : numberOption(command, values, 'eval-fraction', 0);
  if (evalFraction !== null && !(evalFraction > 0 && evalFraction < 1))
    throw new CliError(
      `${command}: --eval-fraction must be between 0 and 1 (exclusive), got "${String(values['eval-fraction'])}"`,
    );
  if (evalFraction !== null && evalData !== null)
    throw new CliError(`${command}: give either --eval-data or --eval-fraction, not both`);
  return {
    kind: 'data',
    path,
    format: format as DataFormat | undefined,
    maxLength: integerOption(command, values, 'max-length', 512, 2),
    evalData,
    evalFraction,
  };
}

/** Training batches (looping, shuffled per epoch) and held-out batches (in order), from the data options. */
export interface TrainingData {
  readonly train: ExampleBatches;
  readonly eval: ExampleBatches | null;
}

/**
 * Reads, tokenizes (with the checkpoint folder's tokenizer and chat template) and batches the
 * data, and prints one line saying what tokenization did (sequences, tokens, scored tokens,
 * truncated and dropped examples, held-out size).
 */
export async function loadTrainingData(
  model: PretrainedModel,
  modelDir: string,
  input: DataInput,
  options: { batchSize: number; seed: number },
  io: CliIo,
): Promise<TrainingData> {
  const read = (path: string) => readDataset(path, input.format === undefined ? {} : { format: input.format });
  const parsed = await read(input.path);
  const evalParsed = input.evalData === null ? null : await read(input.evalData);
  const tokenizer = await tokenizerFor(modelDir, model);
  const chatTemplate = parsed.format === 'chat' ? await loadChatTemplate(modelDir) : null;
  const prepared = prepareDataset(parsed, {
    tokenizer,
    maxLength: input.maxLength,
    chatTemplate,
    evalData: evalParsed,
    evalFraction: input.evalFraction,
    seed: options.seed,
  });
  const describe = (d: TokenizedDataset) =>
    `${d.examples.length} sequence(s), ${d.tokens.toLocaleString('en-US')} tokens (${d.scoredTokens.toLocaleString('en-US')} scored), ${d.truncated} truncated at --max-length ${input.maxLength}, ${d.dropped} dropped`;
  io.stderr.write(
    `Data ${input.path} (${prepared.format}): ${describe(prepared.train)}${prepared.eval === null ? '' : `; held out: ${describe(prepared.eval)}`}\n`,
  );
  const batches = (examples: TokenizedDataset['examples'], shuffle: boolean, where: string) => {
    try {
      return exampleBatches(examples, {
        batchSize: options.batchSize,
        padTokenId: tokenizer.padTokenId,
        seed: options.seed,
        shuffle,
        ...(shuffle ? { loop: true } : { dropLast: false }),
      });
    } catch (error) {
      throw new CliError(
        `${where}: ${error instanceof Error ? error.message : String(error)}; lower --batch-size or add data`,
      );
    }
  };
  return {
    train: batches(prepared.train.examples, true, `--data ${input.path}`),
    eval: prepared.eval === null ? null : batches(prepared.eval.examples, false, 'held-out data'),
  };
}
