import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './cli-error';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `util.parseArgs` with errors turned into {@link CliError}s that point at `--help`. */
export function parseCommandArgs<O extends Options>(
  command: string,
  argv: readonly string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: false; strict: true }>>['values'] {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`${message}\nRun \`peftjs ${command} --help\` for usage.`);
  }
}

export function requiredString(command: string, values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0)
    throw new CliError(`${command}: --${name} is required. Run \`peftjs ${command} --help\` for usage.`);
  return value;
}

export function integerOption(
  command: string,
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  min = 1,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new CliError(`${command}: --${name} must be an integer >= ${min}, got "${String(raw)}"`);
  return n;
}

export function numberOption(command: string, values: Record<string, unknown>, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new CliError(`${command}: --${name} must be a number, got "${String(raw)}"`);
  return n;
}

export function listOption(values: Record<string, unknown>, name: string, fallback: readonly string[]): string[] {
  const raw = values[name];
  if (typeof raw !== 'string') return [...fallback];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Options `eva init` and `train` share: the checkpoint, the text, and how it is batched. */
export const MODEL_TEXT_OPTIONS = {
  model: { type: 'string' },
  text: { type: 'string' },
  out: { type: 'string' },
  targets: { type: 'string' },
  r: { type: 'string' },
  rho: { type: 'string' },
  tau: { type: 'string' },
  'batch-size': { type: 'string' },
  'seq-len': { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The shared options, read and checked (before any file is touched). */
export function readModelTextOptions(
  command: string,
  values: Record<string, unknown>,
): {
  modelDir: string;
  /** `null` when the data comes from `--data` (see `readDataOptions`). */
  textPath: string | null;
  outDir: string;
  batchSize: number;
  seqLen: number;
  seed: number;
  /** `null` without `--targets`: the command uses the architecture's defaults (`loraTargetsFor`). */
  targets: string[] | null;
} {
  return {
    modelDir: requiredString(command, values, 'model'),
    textPath: values['data'] === undefined ? requiredString(command, values, 'text') : null,
    outDir: requiredString(command, values, 'out'),
    batchSize: integerOption(command, values, 'batch-size', 8),
    seqLen: integerOption(command, values, 'seq-len', 128, 2),
    seed: integerOption(command, values, 'seed', 1, 0),
    targets: values['targets'] === undefined ? null : listOption(values, 'targets', []),
  };
}
