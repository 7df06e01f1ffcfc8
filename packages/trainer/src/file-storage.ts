import {
  findLatestCheckpoint,
  pruneCheckpoints,
  readCheckpoint,
  removeStaleTemporaries,
  writeCheckpoint,
} from './checkpoint';
import { MetricsLog } from './metrics-log';
import type { TrainerStorage } from './trainer-storage';

/**
 * {@link TrainerStorage} on Node's file system (Node only; from `@peftjs/trainer/node`):
 * checkpoints are `<checkpoint.dir>/step-NNNNNN/` directories holding `model.safetensors`,
 * `optimizer.safetensors` and `trainer_state.json`, each written to a temporary name, synced and
 * renamed, in a temporary directory renamed into place; the metrics log is a JSONL file.
 *
 * ```ts
 * await train({ model, data, maxSteps: 100, checkpoint: { dir: 'runs/a', every: 20 }, storage: fileStorage });
 * ```
 */
export const fileStorage: TrainerStorage = {
  writeCheckpoint,
  findLatestCheckpoint,
  readCheckpoint,
  pruneCheckpoints,
  removeStaleTemporaries,
  openMetricsLog: (path, resumedStep) => MetricsLog.open(path, resumedStep),
};
