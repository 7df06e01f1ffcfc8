import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { progressBar } from '@peftjs/trainer';
import { IMAGE_DEMO_DEFAULTS, IMAGE_DEMO_QUICK, runImageDemo } from './demo/image-demo';
import { reportHtml, type DemoResults } from './demo/report-html';
import { evaProgressLine, formatEvaPhases } from './eva-progress';
import type { EvaProgress } from '@peftjs/eva';
import { integerOption, parseCommandArgs } from './args';
import { compareCommand } from './compare/compare-command';
import { CliError, type CliIo } from './cli-error';
import { BACKEND_HELP, BACKEND_OPTIONS, selectBackend } from './backend-options';

export const DEMO_HELP = `Usage: peftjs demo [--quick] [--task language|images] [--seeds N] [--out DIR]

Runs EVA end to end, offline and on the CPU:
  language  a comparison (peftjs compare --task text): the bundled byte-level GPT-2 (pretrained on
            State of the Union addresses) is fine-tuned on Moby Dick with LoRA initialised four ways
            (kaiming, EVA, PiSSA, OLoRA) at the same rank budget, over --seeds seeds (default 3);
            prints held-out loss as mean ± std, each method's difference to kaiming with its 95%
            interval, what that shows, and EVA's share of its init + training time.
  images    the bundled MNIST MLP is adapted to Fashion-MNIST (Debian package dataset-fashion-mnist)
            with LoRA initialised by kaiming and by EVA, one seed; held-out accuracy is tracked.

Writes DIR/results.json and DIR/report.html (loss curves and the EVA rank distribution). The
language demo stores each finished run in DIR/runs/ and reuses it when run again with the same
settings (delete DIR for a fresh run).

Options:
  --quick         a short run (under 2 minutes) instead of the full one (under 10 minutes)
  --task NAME     language (default) or images
  --seeds N       seeds of the language comparison (default 3)
  --out DIR       where results go (default: out/demo)
${BACKEND_HELP.replace(/^ {2}--backend NAME {5}/m, '  --backend NAME  ').replace(/^ {2}--threads N {8}/m, '  --threads N     ')}
  -h, --help      show this help
`;

export async function demoCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs('demo', argv, {
    quick: { type: 'boolean' },
    task: { type: 'string' },
    out: { type: 'string' },
    seeds: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    ...BACKEND_OPTIONS,
  });
  if (values.help === true) {
    io.stdout.write(DEMO_HELP);
    return 0;
  }
  const task = values.task ?? 'language';
  if (task !== 'language' && task !== 'images')
    throw new CliError(`demo: --task must be "language" or "images", got "${task}"`);
  const quick = values.quick === true;
  const outDir = resolve(values.out ?? join('out', 'demo'));
  if (task === 'language') {
    // The language demo is the comparison of issue 18: several seeds, so it can say what it found.
    const seeds = integerOption('demo', values, 'seeds', 3);
    const passed = (['backend', 'threads'] as const).flatMap((k) =>
      values[k] === undefined ? [] : [`--${k}`, String(values[k])],
    );
    return compareCommand(
      ['--task', 'text', '--seeds', String(seeds), '--out', outDir, ...(quick ? ['--quick'] : []), ...passed],
      io,
    );
  }
  if (values.seeds !== undefined) throw new CliError('demo: --seeds applies to the language demo only');
  const { record: backend, progress } = await selectBackend('demo', values, io);
  const command = `peftjs demo --task images${quick ? ' --quick' : ''}`;
  const hooks = {
    trainCallbacks: (init: string) =>
      progressBar(progress, { label: `${init.padEnd(8)} ${backend.name}/${backend.threads ?? '-'}t`, every: 10 }),
    onRunStart: (init: string) => void progress.write(`\n== ${init}\n`),
    onEvaProgress: (p: EvaProgress) => void progress.write(evaProgressLine(p)),
  };
  const results = await runImageDemo(quick ? IMAGE_DEMO_QUICK : IMAGE_DEMO_DEFAULTS, hooks, command);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'results.json'), `${JSON.stringify({ ...results, backend }, null, 2)}\n`);
  await writeFile(join(outDir, 'report.html'), reportHtml(results));
  io.stdout.write(
    `\n${resultsTable(results)}\nWrote ${join(outDir, 'results.json')} and ${join(outDir, 'report.html')}\n`,
  );
  return 0;
}

/** The printed summary: held-out loss at every evaluated step, parameters, and EVA's init cost. */
function resultsTable(results: DemoResults): string {
  const steps = [...new Set(results.runs.flatMap((r) => r.evalLoss.map((e) => e.step)))].sort((a, b) => a - b);
  const header = ['init', 'trainable', ...steps.map((s) => `step ${s}`), 'init s', 'train s'];
  const rows = results.runs.map((run) => [
    run.init,
    run.trainableParameters.toLocaleString('en-US'),
    ...steps.map((s) => run.evalLoss.find((e) => e.step === s)?.loss.toFixed(4) ?? ''),
    run.initSeconds.toFixed(2),
    run.trainSeconds.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  const out = [
    `Held-out loss (${results.task})`,
    line(header),
    `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ];
  if (results.metric !== undefined) {
    out.push(
      '',
      `${results.metric.name}: ${Object.entries(results.metric.byInit)
        .map(([k, v]) => `${k} ${(100 * v).toFixed(2)}%`)
        .join(', ')}`,
    );
  }
  const eva = results.runs.find((r) => r.init === 'eva');
  if (eva !== undefined && results.eva !== null) {
    const share = (100 * eva.initSeconds) / (eva.initSeconds + eva.trainSeconds);
    out.push(
      '',
      `EVA init: ${results.eva.steps} batches, ${eva.initSeconds.toFixed(2)} s = ${share.toFixed(1)}% of EVA's init + training time; ${results.eva.converged ? 'all layers converged' : 'not all layers converged (used as is)'}.`,
    );
    if (results.eva.phases !== undefined) out.push(`EVA time: ${formatEvaPhases(results.eva.phases)}.`);
    const ranks = Object.values(results.eva.ranks);
    out.push(
      `EVA ranks: min ${Math.min(...ranks)}, max ${Math.max(...ranks)}, sum ${ranks.reduce((a, b) => a + b, 0)} over ${ranks.length} layers.`,
    );
  }
  return out.join('\n');
}
