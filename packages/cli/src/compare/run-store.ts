import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../cli-error';
import { runId, type CompareRun, type CompareRunKey } from './compare-run';

/**
 * Finished runs of one comparison on disk, one JSON file per (method, learning rate, seed) under
 * `<out>/runs/`, written as each run ends (temp file + rename, so a kill never leaves half a file).
 * `<out>/runs/config.json` holds the settings the runs were made with; reopening the directory with
 * different settings is refused, so a resumed comparison never mixes two configurations.
 */
export class RunStore {
  private constructor(
    private readonly dir: string,
    private readonly finished: Map<string, CompareRun>,
  ) {}

  /**
   * Opens (creating) `<outDir>/runs` and loads the runs already there.
   * @param config - plain JSON describing everything that changes a run's numbers (task, settings).
   * @throws {@link CliError} when the directory holds runs made with a different `config`.
   */
  static async open(outDir: string, config: unknown): Promise<RunStore> {
    const dir = join(outDir, 'runs');
    await mkdir(dir, { recursive: true });
    const configPath = join(dir, 'config.json');
    const wanted = `${JSON.stringify(config, null, 2)}\n`;
    const existing = await readFile(configPath, 'utf8').catch(() => null);
    if (existing !== null && existing !== wanted) {
      throw new CliError(
        `compare: ${dir} holds runs made with other settings (see its config.json); use another --out or delete that directory`,
      );
    }
    if (existing === null) await writeFile(configPath, wanted);
    const finished = new Map<string, CompareRun>();
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.json') || name === 'config.json') continue;
      const run = JSON.parse(await readFile(join(dir, name), 'utf8')) as CompareRun;
      finished.set(runId(run), run);
    }
    return new RunStore(dir, finished);
  }

  /** The stored run for `key`, if it finished before. */
  get(key: CompareRunKey): CompareRun | undefined {
    return this.finished.get(runId(key));
  }

  /** Stores a finished run at once. */
  async put(run: CompareRun): Promise<void> {
    const id = runId(run);
    const path = join(this.dir, `${id}.json`);
    await writeFile(`${path}.tmp`, `${JSON.stringify(run, null, 2)}\n`);
    await rename(`${path}.tmp`, path);
    this.finished.set(id, run);
  }
}
