// The browser-safe entry: nothing here reaches a `node:` module (checkpoints and logs on disk are
// `fileStorage` in `@peftjs/trainer/node`, src/node.ts).
export { train } from './train';
export type {
  TrainOptions,
  TrainResult,
  TrainCallbacks,
  StepInfo,
  CheckpointInfo,
  EvaluationOptions,
  CheckpointOptions,
  LossFunction,
  LossContext,
} from './train-options';
export { evaluate } from './evaluate';
export { LossOutputError } from './scored-loss';
export type { ScoredLoss } from './scored-loss';
export type { EvaluateOptions } from './evaluate';
export { indexedDataSource } from './data-source';
export type { DataSource, BatchStream, IndexedDataSourceOptions } from './data-source';
export { streamDataSource, fixedDataSource } from './stream-data-source';
export type { IndexedStream } from './stream-data-source';
export { AdamW } from './adamw';
export type { AdamWOptions } from './adamw';
export { Sgd } from './sgd';
export type { SgdOptions } from './sgd';
export type { Optimizer, OptimizerState, NamedParameter } from './optimizer';
export type { ParameterGroup, StepContext } from './parameter-groups';
export { decayParameterNames, isNoDecayName } from './decay-parameter-names';
export {
  constantSchedule,
  constantScheduleWithWarmup,
  linearScheduleWithWarmup,
  cosineScheduleWithWarmup,
} from './schedule';
export type { Schedule } from './schedule';
export { clipGradNorm, globalNorm } from './clip-grad-norm';
export { lossMetric, perplexityMetric, accuracyMetric } from './metric';
export type { Metric, MetricAccumulator, EvalBatchContext, AccuracyMetricOptions } from './metric';
export { f1Metric } from './f1-metric';
export type { F1MetricOptions } from './f1-metric';
export type { Checkpoint } from './checkpoint';
export type { TrainerStorage, MetricsLogWriter } from './trainer-storage';
export type { TrainerState, StepRecord, EvalRecord } from './trainer-state';
export { collectModuleRngs } from './module-rngs';
export type { StatefulRng } from './module-rngs';
export { NonFiniteLossError, CheckpointError } from './errors';
export { progressBar, formatStep } from './progress-bar';
export type { ProgressStream, ProgressBarOptions } from './progress-bar';
