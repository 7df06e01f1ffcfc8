// The `@peftjs/trainer/node` entry: checkpoints and the metrics log on disk (Node only).
// `train` and everything else is in `@peftjs/trainer`; pass `storage: fileStorage` to `train`.
export { fileStorage } from './file-storage';
export { findLatestCheckpoint, readCheckpoint, checkpointDirName, CHECKPOINT_FILES } from './checkpoint';
