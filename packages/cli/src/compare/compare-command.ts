import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { progressBar } from '@peftjs/trainer';
import { integerOption, listOption, parseCommandArgs } from '../args';
import { CliError, type CliIo } from '../cli-error';
import { BACKEND_HELP, BACKEND_OPTIONS, selectBackend } from '../backend-options';
import { machineDescription } from '../demo/language-demo';
import { evaProgressLine } from '../eva-progress';
import { parseCompareMethod } from './compare-method';
import { compareFindings } from './compare-findings';
import { compareReportHtml } from './compare-report';
import { compareTable } from './compare-table';
import type { CompareTask } from './compare-task';
import { getCompareTask } from './compare-tasks';
import { runCompare, type RunCompareHooks } from './run-compare';

export const COMPARE_HELP = `Usage: peftjs compare [--task text|images|spam|rl] [--methods LIST] [--seeds N] [--lr LIST] [--quick] [--out DIR]

Fine-tunes one task with several LoRA initialisations at the same rank budget, over several seeds
and learning rates, and compares them fairly: each method keeps its best learning rate (by its mean
final validation metric), and reports mean ± std over seeds at every evaluation, steps to reach a
target, init and training seconds, and the paired difference to a baseline with a 95% t-interval.

Writes DIR/runs/*.json as each run ends (a killed comparison resumes where it stopped when run
again with the same options), then DIR/results.json (every run and the summary) and DIR/report.html
(charts rendered by Vega-Lite).

Options:
  --task NAME        text (GPT-2 on Moby Dick, validation loss; default), images (MLP on Fashion-MNIST,
                     accuracy), spam (GPT-2 + classification head on SpamAssassin, accuracy and spam F1)
                     or rl (offline Decision Transformer on held-out PointReach tasks, mean return)
  --methods LIST     comma-separated: registered initialisers and eva[:ALLOCATOR][:rho=X]
                     (default kaiming,eva,pissa,olora; e.g. eva:uniform, eva:rho=1)
  --baseline NAME    the method the others are compared with (default kaiming)
  --seeds N          seeds 1..N (default 3)
  --lr LIST          comma-separated learning rates to try per method (default: the task's)
  --target X         metric value for "steps to target" (default: the baseline's mean final value)
  --quick            the demo's quick settings (a minute or two per few runs)
  --out DIR          where results go (default out/compare/<task>)
${BACKEND_HELP}
  -h, --help         show this help
`;

/** `peftjs compare`. `hooks` and `taskOverride` let tests inject a stop after k runs and a small task. */
export async function compareCommand(
  argv: readonly string[],
  io: CliIo,
  hooks: RunCompareHooks = {},
  taskOverride?: CompareTask,
): Promise<number> {
  const values = parseCommandArgs('compare', argv, {
    task: { type: 'string' },
    methods: { type: 'string' },
    baseline: { type: 'string' },
    seeds: { type: 'string' },
    lr: { type: 'string' },
    target: { type: 'string' },
    quick: { type: 'boolean' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    ...BACKEND_OPTIONS,
  });
  if (values.help === true) {
    io.stdout.write(COMPARE_HELP);
    return 0;
  }
  const task = taskOverride ?? getCompareTask(values.task ?? 'text');
  const methods = listOption(values, 'methods', ['kaiming', 'eva', 'pissa', 'olora']).map(parseCompareMethod);
  const labels = methods.map((m) => m.label);
  if (new Set(labels).size !== labels.length)
    throw new CliError(`compare: --methods lists a method twice (${labels.join(', ')})`);
  const baseline = values.baseline ?? 'kaiming';
  if (!labels.includes(baseline))
    throw new CliError(
      `compare: --baseline "${baseline}" is not among --methods (${labels.join(', ')}); add it or pick another`,
    );
  const quick = values.quick === true;
  const seedCount = integerOption('compare', values, 'seeds', 3);
  const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
  const learningRates = listOption(values, 'lr', [String(task.defaultLearningRate(quick))]).map((s) => {
    const lr = Number(s);
    if (!(Number.isFinite(lr) && lr > 0))
      throw new CliError(`compare: --lr must be positive numbers separated by commas, got "${s}"`);
    return lr;
  });
  const target = values.target === undefined ? undefined : Number(values.target);
  if (target !== undefined && !Number.isFinite(target))
    throw new CliError(`compare: --target must be a number, got "${String(values.target)}"`);
  const outDir = resolve(values.out ?? join('out', 'compare', task.name));
  const command = ['peftjs compare', ...argv].join(' ');
  const { record: backend, progress } = await selectBackend('compare', values, io);

  const outcome = await runCompare(
    { task, methods, seeds, learningRates, baseline, quick, outDir, ...(target === undefined ? {} : { target }) },
    {
      onRunStart: (key, index, total) =>
        void progress.write(`\n== [${index + 1}/${total}] ${key.method} lr=${key.learningRate} seed=${key.seed}\n`),
      trainCallbacks: () =>
        progressBar(progress, { label: `train ${backend.name}/${backend.threads ?? '-'}t`, every: 10 }),
      onEvaProgress: (p) => void progress.write(evaProgressLine(p)),
      ...hooks,
    },
  );
  const settings = { task: task.name, methods: labels, baseline, seeds, learningRates, quick, ...task.settings(quick) };
  const results = {
    task: task.description,
    command,
    machine: machineDescription(),
    backend,
    settings,
    summary: outcome.summary,
    runs: outcome.runs,
  };
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(
    join(outDir, 'report.html'),
    await compareReportHtml({
      title: task.description,
      command,
      machine: results.machine,
      settings,
      summary: outcome.summary,
      runs: outcome.runs,
    }),
  );
  const resumed = outcome.resumed > 0 ? ` (${outcome.resumed} runs resumed from ${join(outDir, 'runs')})` : '';
  io.stdout.write(
    `\n${compareTable(outcome.summary)}\n\n${compareFindings(outcome.summary).join('\n')}\n\nRan ${outcome.executed} runs${resumed}. Wrote ${join(outDir, 'results.json')} and ${join(outDir, 'report.html')}\n`,
  );
  return 0;
}
