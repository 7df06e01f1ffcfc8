import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeTextAtomic } from './atomic-fs';

/**
 * The JSONL metrics log: one JSON object per line, `{"type":"step",...}`, `{"type":"eval",...}`,
 * `{"type":"checkpoint",...}`. On resume the lines after the resumed step are dropped first, so the
 * log reads as one uninterrupted run.
 */
export class MetricsLog {
  private constructor(private readonly path: string) {}

  static async open(path: string, resumedStep: number | null): Promise<MetricsLog> {
    await mkdir(dirname(path), { recursive: true });
    let kept = '';
    if (resumedStep !== null) {
      const text = await readFile(path, 'utf8').catch(() => '');
      kept = text
        .split('\n')
        .filter((line) => line.trim() !== '' && stepOf(line) <= resumedStep)
        .map((line) => `${line}\n`)
        .join('');
    }
    await writeTextAtomic(path, kept);
    return new MetricsLog(path);
  }

  async write(record: Record<string, unknown>): Promise<void> {
    await appendFile(this.path, `${JSON.stringify(record)}\n`, 'utf8');
  }
}

function stepOf(line: string): number {
  try {
    const step = (JSON.parse(line) as { step?: unknown }).step;
    return typeof step === 'number' ? step : Infinity;
  } catch {
    return Infinity;
  }
}
