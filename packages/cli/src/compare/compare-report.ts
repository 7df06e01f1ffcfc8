import type { CompareSummary } from './aggregate-compare';
import { compareCharts } from './compare-charts';
import type { CompareRun } from './compare-run';
import { compareTable } from './compare-table';
import { vegaLiteToSvg } from './vega-svg';

export interface CompareReportInput {
  readonly title: string;
  readonly command: string;
  readonly machine: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly summary: CompareSummary;
  readonly runs: readonly CompareRun[];
}

/** A self-contained HTML report: the table, the paired comparisons, and inline SVG charts rendered by Vega-Lite (no scripts, no network). */
export async function compareReportHtml(input: CompareReportInput): Promise<string> {
  const charts = await Promise.all(
    compareCharts(input.summary, input.runs).map(
      async (c) => `<h2>${esc(c.title)}</h2>\n${await vegaLiteToSvg(c.spec)}`,
    ),
  );
  const lrNote = input.summary.methods
    .map(
      (m) =>
        `${esc(m.method)}: ${m.learningRateSearch.map((s) => `lr ${s.learningRate} → ${s.finalMean.toFixed(4)} (${s.seeds} seeds)`).join(', ')}`,
    )
    .join('<br>');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>peftjs compare: ${esc(input.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}pre{background:#f6f6f6;padding:.8em;overflow-x:auto}code{background:#f4f4f4;padding:0 .3em}</style></head><body>
<h1>peftjs compare: ${esc(input.title)}</h1>
<p>Command: <code>${esc(input.command)}</code><br>Machine: ${esc(input.machine)}</p>
<pre>${esc(compareTable(input.summary))}</pre>
<p>Δ is the paired difference (method − ${esc(input.summary.baseline)}) of the final ${esc(input.summary.metric.name)}, seed by seed, with its 95% Student-t interval over seeds.
Each method's learning rate is the one with the best mean final value on the validation split; the table reports that same split, so with an lr grid it is optimistic for every method alike.</p>
<p>Learning-rate search:<br>${lrNote}</p>
${charts.join('\n')}
<h2>Settings</h2><pre>${esc(JSON.stringify(input.settings, null, 2))}</pre>
</body></html>
`;
}

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}
