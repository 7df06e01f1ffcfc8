import { CliError } from '../cli-error';
import type { CompareTask } from './compare-task';
import { imageCompareTask } from './image-compare-task';
import { rlCompareTask } from './rl-compare-task';
import { spamCompareTask } from './spam-compare-task';
import { textCompareTask } from './text-compare-task';

/** The tasks `--task` selects. A new task is one file plus one line here. */
const TASKS: ReadonlyMap<string, CompareTask> = new Map([
  ['text', textCompareTask],
  ['images', imageCompareTask],
  ['rl', rlCompareTask],
  ['spam', spamCompareTask],
]);

/** The task registered as `name`; throws a usage error listing the tasks otherwise. */
export function getCompareTask(name: string): CompareTask {
  const task = TASKS.get(name);
  if (task === undefined)
    throw new CliError(`compare: unknown --task "${name}"; use one of: ${[...TASKS.keys()].join(', ')}`);
  return task;
}
