import type { StepInfo, TrainCallbacks } from './train-options';

/** The part of a Node stream (or anything else) the progress bar writes to. */
export interface ProgressStream {
  /** Writes `text` as given (no newline added). */
  write(text: string): unknown;
  /** When true, one line is redrawn in place; otherwise plain lines are printed. */
  readonly isTTY?: boolean;
  /** Terminal width in characters; the redrawn line is cut to fit (default 120). */
  readonly columns?: number;
}

/** Options of {@link progressBar}. */
export interface ProgressBarOptions {
  /** Label printed before the bar (e.g. the run's name). */
  label?: string;
  /** Without a TTY, print a line every `every` steps (default 10) and at the last step. */
  every?: number;
  /** Bar width in characters on a TTY (default 24). */
  width?: number;
}

/**
 * Trainer callbacks that render progress: step, loss, learning rate, tokens/s and ETA.
 * On a TTY one line is redrawn in place; otherwise plain lines are printed every few steps.
 * Evaluations and checkpoints get a line of their own. The library never prints by itself:
 * pass `callbacks: progressBar(process.stderr)` from a CLI.
 */
export function progressBar(stream: ProgressStream, options: ProgressBarOptions = {}): TrainCallbacks {
  const tty = stream.isTTY === true;
  const every = options.every ?? 10;
  const width = options.width ?? 24;
  const label = options.label === undefined ? '' : `${options.label} `;
  let open = false; // a TTY line is being redrawn
  const line = (text: string): void => {
    if (tty && open) stream.write('\r\x1b[2K');
    open = false;
    stream.write(`${text}\n`);
  };
  return {
    onStep(info: StepInfo) {
      const text = `${label}${renderBar(info, tty ? width : 0)}${formatStep(info)}`;
      if (tty) {
        const columns = stream.columns ?? 120;
        stream.write(`\r\x1b[2K${text.slice(0, Math.max(20, columns - 1))}`);
        open = true;
      } else if (info.step % every === 0 || info.step === info.totalSteps) {
        stream.write(`${text}\n`);
      }
    },
    onEval(info) {
      const metrics = Object.entries(info.metrics)
        .map(([k, v]) => `${k} ${formatNumber(v)}`)
        .join('  ');
      line(`${label}eval @ step ${info.step}: ${metrics}`);
    },
    onCheckpoint(info) {
      line(`${label}checkpoint @ step ${info.step}: ${info.path}`);
    },
    onEnd(result) {
      line(`${label}done: ${result.step} steps${result.stoppedEarly ? ' (stopped early)' : ''}`);
    },
  };
}

function renderBar(info: StepInfo, width: number): string {
  if (width === 0 || info.totalSteps === null) return '';
  const filled = Math.round((Math.min(info.step, info.totalSteps) / info.totalSteps) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] `;
}

/** `step 20/40  loss 2.3456  lr 1.00e-3  1,234 tok/s  ETA 0:12`. */
export function formatStep(info: StepInfo): string {
  const total = info.totalSteps === null ? '' : `/${info.totalSteps}`;
  const eta = info.etaSeconds === null ? '' : `  ETA ${formatDuration(info.etaSeconds)}`;
  const rate = Math.round(info.tokensPerSecond).toLocaleString('en-US');
  return `step ${info.step}${total}  loss ${info.loss.toFixed(4)}  lr ${info.learningRate.toExponential(2)}  ${rate} tok/s${eta}`;
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

function formatNumber(v: number): string {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4);
}
