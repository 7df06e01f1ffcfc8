import type { EvaPhaseTimes } from '@peftjs/eva';
import { formatEvaPhases } from '../eva-progress';

/** One fine-tuning run of the demo, as written to results.json. */
export interface DemoRun {
  /** The initialiser: `eva` or a LoRA initialiser name. */
  readonly init: string;
  /** Number of trainable (adapter) parameters. */
  readonly trainableParameters: number;
  /** Seconds spent initialising the adapter (EVA: computing its state), excluded from training time. */
  readonly initSeconds: number;
  /** Seconds of training, evaluations included. */
  readonly trainSeconds: number;
  /** Held-out loss by optimizer step (step 0: right after initialisation). */
  readonly evalLoss: readonly {
    /** Optimizer step. */
    readonly step: number;
    /** Mean cross-entropy in nats (per byte for the language demo, per image for the image demo). */
    readonly loss: number;
  }[];
  /** Training loss of every optimizer step. */
  readonly trainLoss: readonly {
    /** Optimizer step. */
    readonly step: number;
    /** The step's mean cross-entropy in nats. */
    readonly loss: number;
  }[];
}

/** Everything a demo produced: what `results.json` holds and {@link reportHtml} renders. */
export interface DemoResults {
  /** One line: model, source data and target data, e.g. `images: MLP (MNIST) -> Fashion-MNIST`. */
  readonly task: string;
  /** The command line that produced the results. */
  readonly command: string;
  /** CPU count and model, Node version and tfjs backend. */
  readonly machine: string;
  /** The demo's settings ({@link LanguageDemoSettings} or {@link ImageDemoSettings}). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** One run per initialiser, in the order of `settings.inits`. */
  readonly runs: readonly DemoRun[];
  /** EVA's rank per layer and its run info; null when no `eva` run took place. */
  readonly eva: {
    /** Rank per target layer path. */
    readonly ranks: Readonly<Record<string, number>>;
    /** Batches EVA processed. */
    readonly steps: number;
    /** EVA's wall time in seconds. */
    readonly seconds: number;
    /** Whether every layer converged before the step cap. */
    readonly converged: boolean;
    /** Where the seconds went (forward passes, PCA updates, rank allocation). */
    readonly phases?: EvaPhaseTimes;
  } | null;
  /** A task-specific final metric (the image demo's held-out accuracy). */
  readonly metric?: {
    /** Its label, e.g. `accuracy (final, held-out)`. */
    readonly name: string;
    /** Its value per initialiser. */
    readonly byInit: Readonly<Record<string, number>>;
  };
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/** A self-contained HTML report (inline SVG, no scripts, no network). */
export function reportHtml(results: DemoResults): string {
  const rows = results.runs
    .map((run) => {
      const last = run.evalLoss.at(-1)?.loss;
      return `<tr><td>${esc(run.init)}</td><td>${run.trainableParameters.toLocaleString('en-US')}</td><td>${run.evalLoss[0]?.loss.toFixed(4) ?? ''}</td><td>${last?.toFixed(4) ?? ''}</td><td>${run.initSeconds.toFixed(2)}</td><td>${run.trainSeconds.toFixed(1)}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>peftjs EVA demo: ${esc(results.task)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .7em;text-align:right}td:first-child,th:first-child{text-align:left}
code{background:#f4f4f4;padding:0 .3em}</style></head><body>
<h1>peftjs EVA demo: ${esc(results.task)}</h1>
<p>Command: <code>${esc(results.command)}</code><br>Machine: ${esc(results.machine)}</p>
<h2>Held-out loss</h2>
<table><tr><th>init</th><th>trainable parameters</th><th>loss at step 0</th><th>final loss</th><th>init seconds</th><th>train seconds</th></tr>
${rows}</table>
<h2>Loss curves (held-out)</h2>
${lineChart(results.runs)}
${
  results.eva === null
    ? ''
    : `<h2>EVA rank distribution</h2>
<p>${results.eva.steps} EVA steps in ${results.eva.seconds.toFixed(2)} s${results.eva.phases === undefined ? '' : ` (${esc(formatEvaPhases(results.eva.phases))})`}; ${results.eva.converged ? 'every layer converged' : 'not every layer converged'}.</p>
${barChart(results.eva.ranks)}`
}
<h2>Settings</h2><pre>${esc(JSON.stringify(results.settings, null, 2))}</pre>
</body></html>
`;
}

function lineChart(runs: readonly DemoRun[]): string {
  const w = 720;
  const h = 360;
  const pad = 50;
  const points = runs.flatMap((r) => r.evalLoss);
  if (points.length === 0) return '<p>No evaluations were recorded.</p>';
  const maxStep = Math.max(...points.map((p) => p.step), 1);
  const lo = Math.min(...points.map((p) => p.loss));
  const hi = Math.max(...points.map((p) => p.loss));
  const span = hi - lo || 1;
  const x = (s: number) => pad + ((w - 2 * pad) * s) / maxStep;
  const y = (l: number) => h - pad - ((h - 2 * pad) * (l - lo)) / span;
  const lines = runs
    .map((run, i) => {
      const colour = COLOURS[i % COLOURS.length] as string;
      const d = run.evalLoss
        .map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`)
        .join(' ');
      const legend = `<text x="${w - pad - 110}" y="${pad + 18 * i}" fill="${colour}">${esc(run.init)}</text>`;
      return `<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>${legend}`;
    })
    .join('\n');
  const ticks = [lo, (lo + hi) / 2, hi]
    .map((v) => `<text x="4" y="${y(v) + 4}" font-size="11">${v.toFixed(3)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="held-out loss by step">
<rect width="${w}" height="${h}" fill="#fff"/><line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#888"/>
<line x1="${pad}" y1="${pad / 2}" x2="${pad}" y2="${h - pad}" stroke="#888"/>${ticks}
<text x="${w / 2}" y="${h - 12}" font-size="12">optimizer step (0..${maxStep})</text>
${lines}</svg>`;
}

function barChart(ranks: Readonly<Record<string, number>>): string {
  const entries = Object.entries(ranks);
  const rowH = 18;
  const w = 720;
  const label = 280;
  const max = Math.max(1, ...entries.map(([, r]) => r));
  const bars = entries
    .map(([name, r], i) => {
      const y = 10 + i * rowH;
      const len = ((w - label - 40) * r) / max;
      return `<text x="0" y="${y + 12}" font-size="12">${esc(name)}</text><rect x="${label}" y="${y + 2}" width="${len.toFixed(1)}" height="${rowH - 5}" fill="#1f77b4"/><text x="${label + len + 4}" y="${y + 12}" font-size="12">${r}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${entries.length * rowH + 20}" role="img" aria-label="EVA ranks by layer">${bars}</svg>`;
}

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}
