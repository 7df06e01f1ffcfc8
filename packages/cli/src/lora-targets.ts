import { defaultLoraTargets } from '@peftjs/models';
import type { AnyModule } from '@peftjs/core';
import { CliError, type CliIo } from './cli-error';

/**
 * The LoRA target modules of a command: `--targets` when given, else the architecture's defaults
 * (`defaultLoraTargets` of `@peftjs/models`), printed on stdout (stderr stays one line per error) so the run says what it adapts.
 */
export function loraTargetsFor(
  command: string,
  model: AnyModule,
  given: readonly string[] | null,
  io: CliIo,
): string[] {
  if (given !== null) return [...given];
  const defaults = defaultLoraTargets(model);
  if (defaults === null)
    throw new CliError(`${command}: ${model.typeName} has no default LoRA targets; name them with --targets`);
  const architecture = (model as { architecture?: unknown }).architecture;
  io.stdout.write(
    `Targets: ${defaults.join(', ')} (the default for ${String(architecture ?? model.typeName)}; choose with --targets)\n`,
  );
  return [...defaults];
}
