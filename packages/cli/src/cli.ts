import { compareCommand, COMPARE_HELP } from './compare/compare-command';
import { demoCommand, DEMO_HELP } from './demo-command';
import { evaInitCommand, EVA_INIT_HELP } from './eva-init-command';
import { generateCommand, GENERATE_HELP } from './generate-command';
import { mergeCommand, MERGE_HELP } from './merge-command';
import { trainCommand, TRAIN_HELP } from './train-command';
import { CliError, type CliIo } from './cli-error';
import { reportError } from './report-error';

/** The text `peftjs`, `peftjs --help` and `peftjs help` print: usage, commands and their one-line summaries. */
export const CLI_HELP = `peftjs: parameter-efficient fine-tuning with EVA, offline, in Node

Usage: peftjs <command> [options]

Commands:
  compare     compare LoRA initialisations over seeds and learning rates (mean ± std, paired 95% CI)
  demo        run the EVA demo on the bundled GPT-2 and Moby Dick (or --task images)
  eva init    compute the EVA state of a Hugging Face checkpoint on a text file or fine-tuning data
  generate    write text with a checkpoint (and adapter): greedy or sampled, with a KV cache
  merge       fold a LoRA adapter into its base checkpoint and save it as a plain checkpoint
  train       fine-tune a checkpoint with LoRA (eva|kaiming|pissa|olora|...) and save a PEFT adapter

Run \`peftjs <command> --help\` for a command's options. Add --verbose to any command to see
the stack trace of an internal error.
`;

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

/** Commands by their words; `eva init` is two words. */
const COMMANDS: ReadonlyMap<string, { run: Command; help: string }> = new Map([
  ['compare', { run: (argv, io) => compareCommand(argv, io), help: COMPARE_HELP }],
  ['demo', { run: demoCommand, help: DEMO_HELP }],
  ['eva init', { run: evaInitCommand, help: EVA_INIT_HELP }],
  ['generate', { run: generateCommand, help: GENERATE_HELP }],
  ['merge', { run: mergeCommand, help: MERGE_HELP }],
  ['train', { run: trainCommand, help: TRAIN_HELP }],
]);

/**
 * Runs the CLI; returns the process exit code (0 ok, 2 a bad input, 1 an internal error).
 * Never throws: every error becomes one line on `io.stderr` (see `reportError`); `--verbose`
 * anywhere in `argv` adds the stack trace.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  try {
    return await dispatch(args, io);
  } catch (error) {
    return reportError(error, io, verbose);
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? argv.slice(1).join(' ') : '';
    io.stdout.write(COMMANDS.get(topic)?.help ?? CLI_HELP);
    return first === undefined ? 1 : 0;
  }
  const two = `${first} ${second ?? ''}`.trim();
  const entry = COMMANDS.get(two) ?? COMMANDS.get(first);
  const rest = COMMANDS.has(two) ? argv.slice(2) : argv.slice(1);
  if (entry === undefined) {
    const hint = first === 'eva' ? ' (did you mean `peftjs eva init`?)' : '';
    throw new CliError(`unknown command "${argv.join(' ')}"${hint}; run \`peftjs --help\` for the commands`);
  }
  return entry.run(rest, io);
}
