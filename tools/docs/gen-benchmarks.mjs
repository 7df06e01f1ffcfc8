#!/usr/bin/env node
// Writes docs/.generated/benchmarks.md (tables + inline SVG plots) from the measured result files
// in docs/data/*.json. A benchmark whose file is absent is reported as "not recorded yet": this
// script never invents a number. The file format is documented in docs/data/FORMAT.md.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const defaultDataDir = join(root, 'docs', 'data');
const defaultOutFile = join(root, 'docs', '.generated', 'benchmarks.md');

/** The benchmarks the page expects, in page order. Files not listed here are appended after them. */
export const EXPECTED = [
  {
    file: 'demo-gpt2.json',
    title: 'GPT-2 (SOTU, byte level) fine-tuned on Moby Dick: LoRA initialisations and EVA init cost',
    command: 'npm run demo -- --out out/demo',
    how: 'then copy out/demo/results.json',
  },
  {
    file: 'demo-mnist.json',
    title: 'MLP: MNIST to Fashion-MNIST',
    command: 'npm run demo -- --task images --out out/demo-images',
    how: 'then copy out/demo-images/results.json',
  },
  {
    file: 'streaming-svd.json',
    title: 'Incremental PCA against scikit-learn',
    command: 'npx peftjs-svd-bench --input X.safetensors --k 32 --batch 1024 --solver randomized',
  },
  {
    file: 'training-throughput.json',
    title: 'LoRA training throughput of the demo GPT-2',
    command: 'npx tsx --conditions=@peftjs/source tools/trainer/bench-lora.ts',
  },
  {
    file: 'native-vs-pytorch.json',
    title: 'Native backend vs PyTorch: LoRA training and forward passes',
    command: 'node tools/bench/run-paired.mjs --rounds 2',
  },
  {
    file: 'native-matmul-1t.json',
    title: "Native backend: matmul GFLOP/s per shape vs the BLAS's peak (1 thread)",
    command: 'npx tsx --conditions=@peftjs/source tools/bench/matmul-gflops.ts --threads 1',
  },
  {
    file: 'native-blas.json',
    title: 'Native backend: oneDNN vs OpenBLAS GEMM',
    command: 'node tools/bench/blas-compare.mjs --rounds 3',
  },
  {
    file: 'native-medium-step.json',
    title: 'Native backend: one LoRA step of a GPT-2-medium-shaped model (355M parameters)',
    command: 'npx tsx --conditions=@peftjs/source tools/bench/medium-step.ts',
  },
  {
    file: 'native-rss.json',
    title: 'Native backend: memory over 300 training steps',
    command: 'npx tsx --conditions=@peftjs/source tools/bench/rss-300-steps.ts',
  },
];

const PALETTE = ['#3451b2', '#c2410c', '#15803d', '#9333ea', '#b91c1c', '#0e7490', '#a16207', '#4b5563'];

export function escapeHtml(text) {
  return String(text).replace(/[&<>"'{}]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return escapeHtml(value).replace(/\|/g, '\\|');
}

export function formatNumber(x) {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 100) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(3);
  if (abs >= 0.001) return x.toFixed(4);
  return x.toExponential(2);
}

function fail(file, message) {
  throw new Error(`docs/data/${file}: ${message}. See docs/data/FORMAT.md for the expected shape.`);
}

const isScalar = (v) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isFlatObject = (v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(isScalar);

/** The `results.json` that `peftjs demo` writes (`DemoResults` in @peftjs/eva). */
function isDemoResults(json) {
  return (
    json !== null &&
    typeof json === 'object' &&
    Array.isArray(json.runs) &&
    json.runs.length > 0 &&
    json.runs.every((r) => typeof r?.init === 'string' && Array.isArray(r.evalLoss))
  );
}

/** A demo run's results as tables and plots: held-out loss per initialisation, curves, EVA ranks. */
export function fromDemoResults(json) {
  const metric = json.metric && typeof json.metric.name === 'string' ? json.metric : null;
  const columns = [
    'init',
    'trainable parameters',
    'held-out loss at step 0',
    'final held-out loss',
    'init seconds',
    'train seconds',
  ];
  if (metric) columns.push(metric.name);
  const rows = json.runs.map((r) => {
    const row = [
      r.init,
      r.trainableParameters ?? null,
      r.evalLoss[0]?.loss ?? null,
      r.evalLoss.at(-1)?.loss ?? null,
      r.initSeconds ?? null,
      r.trainSeconds ?? null,
    ];
    if (metric) row.push(metric.byInit?.[r.init] ?? null);
    return row;
  });
  const tables = [{ caption: `Held-out loss${json.task ? ` (${json.task})` : ''}`, columns, rows }];
  if (json.eva && typeof json.eva === 'object') {
    tables.push({
      caption: 'EVA initialisation',
      columns: ['measure', 'value'],
      rows: [
        ['steps (batches)', json.eva.steps],
        ['seconds', json.eva.seconds],
        ['every layer converged', json.eva.converged],
      ],
    });
  }
  if (json.settings && typeof json.settings === 'object') {
    const settings = normaliseResult({ ...json.settings, __settings: true }).tables[0];
    if (settings)
      tables.push({
        caption: 'Settings',
        columns: settings.columns,
        rows: settings.rows.filter(([k]) => k !== '__settings'),
      });
  }
  const curve = (key) =>
    json.runs
      .filter((r) => Array.isArray(r[key]) && r[key].length > 0)
      .map((r) => ({ name: r.init, x: r[key].map((p) => p.step), y: r[key].map((p) => p.loss) }));
  const lines = [];
  const held = curve('evalLoss');
  if (held.length)
    lines.push({
      title: 'Held-out loss by optimizer step',
      xLabel: 'optimizer step',
      yLabel: 'held-out loss',
      series: held,
    });
  const trainCurve = curve('trainLoss');
  if (trainCurve.length)
    lines.push({
      title: 'Training loss by optimizer step',
      xLabel: 'optimizer step',
      yLabel: 'training loss',
      series: trainCurve,
    });
  const bars = [];
  if (json.eva?.ranks && typeof json.eva.ranks === 'object' && Object.keys(json.eva.ranks).length) {
    const entries = Object.entries(json.eva.ranks);
    bars.push({
      title: 'EVA rank per layer',
      yLabel: 'rank',
      labels: entries.map(([k]) => k.replace(/^transformer\./, '')),
      values: entries.map(([, v]) => v),
    });
  }
  const out = { tables, lines, bars };
  if (typeof json.command === 'string') out.command = json.command;
  if (typeof json.machine === 'string') out.machine = json.machine;
  return out;
}

/**
 * A benchmark's raw JSON output (e.g. one line of `peftjs-svd-bench`, or an array of such runs)
 * shown as it is: scalar fields as a two-column table, arrays of flat objects as one table each.
 * Files in the documented format (with `tables`, `lines` or `bars`) are returned unchanged.
 */
export function normaliseResult(json) {
  if (isDemoResults(json)) return fromDemoResults(json);
  if (Array.isArray(json)) {
    if (json.length === 0 || !json.every(isFlatObject)) return json; // validateResult reports it
    const columns = [...new Set(json.flatMap((o) => Object.keys(o)))];
    return { tables: [{ columns, rows: json.map((o) => columns.map((c) => o[c] ?? null)) }] };
  }
  if (json === null || typeof json !== 'object' || 'tables' in json || 'lines' in json || 'bars' in json) return json;
  const META = new Set(['title', 'description', 'command', 'machine', 'backend', 'recordedAt', 'notes']);
  const out = Object.fromEntries(Object.entries(json).filter(([k, v]) => META.has(k) && typeof v === 'string'));
  const rows = [];
  const tables = [];
  // Nested objects flatten to dotted names; arrays of numbers/strings are shown joined.
  const walk = (value, name) => {
    if (isScalar(value)) rows.push([name, value]);
    else if (Array.isArray(value) && value.every(isScalar))
      rows.push([name, value.map((v) => (typeof v === 'number' ? formatNumber(v) : String(v))).join(', ')]);
    else if (Array.isArray(value) && value.length && value.every(isFlatObject)) {
      const columns = [...new Set(value.flatMap((o) => Object.keys(o)))];
      tables.push({ caption: name, columns, rows: value.map((o) => columns.map((c) => o[c] ?? null)) });
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, name ? `${name}.${k}` : k);
    } else rows.push([name, JSON.stringify(value)]);
  };
  for (const [k, v] of Object.entries(json)) if (!(META.has(k) && typeof v === 'string')) walk(v, k);
  if (rows.length) tables.unshift({ columns: ['measure', 'value'], rows });
  return { ...out, tables };
}

/** Checks one result file against the format; throws naming the file and the field. */
export function validateResult(file, json) {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail(file, 'top level must be an object');
  for (const [i, t] of (json.tables ?? []).entries()) {
    if (!Array.isArray(t.columns) || !Array.isArray(t.rows))
      fail(file, `tables[${i}] needs "columns" and "rows" arrays`);
    for (const [j, row] of t.rows.entries()) {
      if (!Array.isArray(row) || row.length !== t.columns.length) {
        fail(
          file,
          `tables[${i}].rows[${j}] has ${Array.isArray(row) ? row.length : 'no'} cells but there are ${t.columns.length} columns`,
        );
      }
    }
  }
  for (const [i, p] of (json.lines ?? []).entries()) {
    if (!Array.isArray(p.series) || p.series.length === 0) fail(file, `lines[${i}] needs a non-empty "series" array`);
    for (const [j, s] of p.series.entries()) {
      if (!Array.isArray(s.x) || !Array.isArray(s.y) || s.x.length !== s.y.length || s.x.length === 0) {
        fail(file, `lines[${i}].series[${j}] ("${s.name}") needs "x" and "y" arrays of the same non-zero length`);
      }
    }
  }
  for (const [i, b] of (json.bars ?? []).entries()) {
    if (
      !Array.isArray(b.labels) ||
      !Array.isArray(b.values) ||
      b.labels.length !== b.values.length ||
      b.labels.length === 0
    ) {
      fail(file, `bars[${i}] needs "labels" and "values" arrays of the same non-zero length`);
    }
  }
  return json;
}

function niceTicks(min, max, count = 5) {
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { lo, hi, ticks };
}

/** An inline SVG line chart; every number drawn comes from the series passed in. */
export function lineChartSvg(plot) {
  const W = 640,
    H = 320,
    L = 60,
    R = 150,
    T = 30,
    B = 45;
  const xs = plot.series.flatMap((s) => s.x);
  const ys = plot.series.flatMap((s) => s.y).filter(Number.isFinite);
  const xt = niceTicks(Math.min(...xs), Math.max(...xs));
  const yt = niceTicks(Math.min(...ys), Math.max(...ys));
  const sx = (x) => L + ((x - xt.lo) / (xt.hi - xt.lo)) * (W - L - R);
  const sy = (y) => H - B - ((y - yt.lo) / (yt.hi - yt.lo)) * (H - T - B);
  const parts = [];
  parts.push(
    `<svg class="bench-plot" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeHtml(plot.title ?? 'plot')}" xmlns="http://www.w3.org/2000/svg">`,
  );
  if (plot.title)
    parts.push(
      `<text x="${L}" y="18" font-size="14" font-weight="600" fill="currentColor">${escapeHtml(plot.title)}</text>`,
    );
  for (const v of yt.ticks) {
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${sy(v).toFixed(1)}" y2="${sy(v).toFixed(1)}" stroke="currentColor" stroke-opacity="0.12"/>`,
    );
    parts.push(
      `<text x="${L - 6}" y="${(sy(v) + 4).toFixed(1)}" font-size="11" text-anchor="end" fill="currentColor">${formatNumber(v)}</text>`,
    );
  }
  for (const v of xt.ticks) {
    parts.push(
      `<text x="${sx(v).toFixed(1)}" y="${H - B + 16}" font-size="11" text-anchor="middle" fill="currentColor">${formatNumber(v)}</text>`,
    );
  }
  parts.push(`<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="currentColor" stroke-opacity="0.5"/>`);
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="currentColor" stroke-opacity="0.5"/>`);
  if (plot.xLabel)
    parts.push(
      `<text x="${(L + W - R) / 2}" y="${H - 8}" font-size="12" text-anchor="middle" fill="currentColor">${escapeHtml(plot.xLabel)}</text>`,
    );
  if (plot.yLabel)
    parts.push(
      `<text x="14" y="${(T + H - B) / 2}" font-size="12" text-anchor="middle" fill="currentColor" transform="rotate(-90 14 ${(T + H - B) / 2})">${escapeHtml(plot.yLabel)}</text>`,
    );
  plot.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const pts = s.x.map((x, j) => [x, s.y[j]]).filter(([, y]) => Number.isFinite(y));
    const d = pts.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    if (pts.length <= 30)
      for (const [x, y] of pts)
        parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${color}"/>`);
    const ly = T + 10 + i * 18;
    parts.push(
      `<line x1="${W - R + 12}" x2="${W - R + 32}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
    );
    parts.push(`<text x="${W - R + 38}" y="${ly + 4}" font-size="12" fill="currentColor">${escapeHtml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** An inline SVG bar chart (e.g. EVA's rank per layer). */
export function barChartSvg(plot) {
  const n = plot.labels.length;
  const W = 640,
    L = 60,
    R = 20,
    T = 30,
    B = 90;
  const H = 320;
  const vt = niceTicks(Math.min(0, ...plot.values), Math.max(...plot.values));
  const bw = (W - L - R) / n;
  const sy = (y) => H - B - ((y - vt.lo) / (vt.hi - vt.lo)) * (H - T - B);
  const parts = [];
  parts.push(
    `<svg class="bench-plot" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeHtml(plot.title ?? 'bar chart')}" xmlns="http://www.w3.org/2000/svg">`,
  );
  if (plot.title)
    parts.push(
      `<text x="${L}" y="18" font-size="14" font-weight="600" fill="currentColor">${escapeHtml(plot.title)}</text>`,
    );
  for (const v of vt.ticks) {
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${sy(v).toFixed(1)}" y2="${sy(v).toFixed(1)}" stroke="currentColor" stroke-opacity="0.12"/>`,
    );
    parts.push(
      `<text x="${L - 6}" y="${(sy(v) + 4).toFixed(1)}" font-size="11" text-anchor="end" fill="currentColor">${formatNumber(v)}</text>`,
    );
  }
  if (plot.yLabel)
    parts.push(
      `<text x="14" y="${(T + H - B) / 2}" font-size="12" text-anchor="middle" fill="currentColor" transform="rotate(-90 14 ${(T + H - B) / 2})">${escapeHtml(plot.yLabel)}</text>`,
    );
  plot.values.forEach((v, i) => {
    const x = L + i * bw;
    const y0 = sy(Math.max(0, vt.lo));
    const y1 = sy(v);
    parts.push(
      `<rect x="${(x + bw * 0.15).toFixed(1)}" y="${Math.min(y0, y1).toFixed(1)}" width="${(bw * 0.7).toFixed(1)}" height="${Math.abs(y0 - y1).toFixed(1)}" fill="${PALETTE[0]}"><title>${escapeHtml(plot.labels[i])}: ${formatNumber(v)}</title></rect>`,
    );
    const cx = x + bw / 2;
    parts.push(
      `<text x="${cx.toFixed(1)}" y="${H - B + 10}" font-size="10" text-anchor="end" fill="currentColor" transform="rotate(-50 ${cx.toFixed(1)} ${H - B + 10})">${escapeHtml(plot.labels[i])}</text>`,
    );
  });
  parts.push(
    `<line x1="${L}" x2="${W - R}" y1="${sy(Math.max(0, vt.lo)).toFixed(1)}" y2="${sy(Math.max(0, vt.lo)).toFixed(1)}" stroke="currentColor" stroke-opacity="0.5"/>`,
  );
  parts.push('</svg>');
  return parts.join('');
}

function tableMarkdown(t) {
  const lines = [];
  if (t.caption) lines.push(`**${escapeHtml(t.caption)}**`, '');
  lines.push(`| ${t.columns.map(cell).join(' | ')} |`);
  lines.push(`|${t.columns.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const row of t.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

/** The markdown section for one result file (or for a missing one). */
export function sectionFor(entry, json) {
  const out = [`## ${escapeHtml(json?.title ?? entry.title)}`, ''];
  if (json === null) {
    out.push(
      `::: info Not recorded yet`,
      `This benchmark has not been recorded yet (no \`docs/data/${entry.file}\`). ` +
        `Run ${entry.command ? `\`${entry.command}\`${entry.how ? `, ${entry.how}` : ''}` : (entry.how ?? 'it')} and save its JSON result there; the next docs build shows it here.`,
      ':::',
      '',
    );
    return out.join('\n');
  }
  if (json.description) out.push(escapeHtml(json.description), '');
  const meta = [];
  if (json.command) meta.push(`command: \`${json.command}\``);
  if (json.machine) meta.push(`machine: ${escapeHtml(json.machine)}`);
  if (json.backend) meta.push(`backend: ${escapeHtml(json.backend)}`);
  if (json.recordedAt) meta.push(`recorded: ${escapeHtml(json.recordedAt)}`);
  if (meta.length)
    out.push(
      `<p class="bench-meta">${meta.map((m) => m.replace(/`([^`]*)`/g, '<code>$1</code>')).join(' · ')}</p>`,
      '',
    );
  for (const t of json.tables ?? []) out.push(tableMarkdown(t), '');
  for (const p of json.lines ?? []) out.push(`<figure class="bench-figure">${lineChartSvg(p)}</figure>`, '');
  for (const b of json.bars ?? []) out.push(`<figure class="bench-figure">${barChartSvg(b)}</figure>`, '');
  if (json.notes) out.push(escapeHtml(json.notes), '');
  out.push(`<p class="bench-source">Source: <code>docs/data/${escapeHtml(entry.file)}</code></p>`, '');
  return out.join('\n');
}

function readJson(path, file) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `docs/data/${file} is not valid JSON (${error.message}); write the benchmark's JSON output there unchanged`,
    );
  }
}

export function generate({ dataDir = defaultDataDir, outFile = defaultOutFile } = {}) {
  const present = existsSync(dataDir)
    ? readdirSync(dataDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  const entries = [
    ...EXPECTED,
    ...present
      .filter((f) => !EXPECTED.some((e) => e.file === f))
      .map((file) => ({ file, title: file.replace(/\.json$/, '') })),
  ];
  const sections = entries.map((entry) => {
    const path = join(dataDir, entry.file);
    const json = existsSync(path) ? validateResult(entry.file, normaliseResult(readJson(path, entry.file))) : null;
    return sectionFor(entry, json);
  });
  const recorded = entries.filter((e) => present.includes(e.file)).length;
  const header =
    `<!-- Generated by tools/docs/gen-benchmarks.mjs from docs/data/*.json; do not edit. -->\n\n` +
    `<p class="bench-summary" data-recorded="${recorded}" data-expected="${entries.length}">${recorded} of ${entries.length} benchmarks recorded.</p>\n\n`;
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, header + sections.join('\n'));
  return { recorded, total: entries.length, outFile };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { recorded, total, outFile: file } = generate();
  console.log(`gen-benchmarks: ${recorded}/${total} recorded -> ${file}`);
}
