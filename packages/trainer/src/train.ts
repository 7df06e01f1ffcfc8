import * as tf from '@tensorflow/tfjs-core';
import { PeftjsError, Rng } from '@peftjs/core';
import type { AnyModule } from '@peftjs/core';
import { AdamW } from './adamw';
import { defaultTokenCount, disposeTensors } from './batch-utils';
import { clipGradNorm } from './clip-grad-norm';
import { decayParameterNames, isNoDecayName } from './decay-parameter-names';
import { CheckpointError, NonFiniteLossError } from './errors';
import { defaultLoss, evaluate } from './evaluate';
import { lossAndWeight } from './scored-loss';
import { getModuleRngStates } from './module-rngs';
import type { NamedParameter } from './optimizer';
import type { StepContext } from './parameter-groups';
import { restoreCheckpoint } from './restore';
import { constantSchedule } from './schedule';
import type { LossContext, StepInfo, TrainCallbacks, TrainOptions, TrainResult } from './train-options';
import type { EvalRecord, StepRecord, TrainerState } from './trainer-state';
import type { TrainerStorage } from './trainer-storage';

/**
 * Trains `parameters` (default: the model's trainable ones) on `data` and returns the loss log.
 *
 * Each optimizer step averages the gradients of `gradientAccumulationSteps` micro-batches
 * (`tf.variableGrads` of the loss) over every prediction they score (a micro-batch weighs the count
 * its loss reports, else its rows; one that scores nothing adds nothing), clips their global norm,
 * and applies the optimizer with the scheduled learning rate. Evaluation, checkpoints, the JSONL log and callbacks follow the step.
 * A step whose loss or gradient norm is not finite throws {@link NonFiniteLossError} before any
 * update. With `resume`, weights, optimizer state, RNG states, data position and logs are restored
 * from the checkpoint and the run continues exactly as if it had never stopped. Prints nothing.
 */
export async function train<M extends AnyModule, B extends object>(options: TrainOptions<M, B>): Promise<TrainResult> {
  const { model, data } = options;
  const parameters: readonly NamedParameter[] = options.parameters ?? model.trainableParameters();
  validate(options, parameters);
  const lossFn = options.loss ?? defaultLoss<M, B>(model);
  const optimizer = options.optimizer ?? new AdamW();
  const schedule = options.schedule ?? constantSchedule();
  const accumulation = options.gradientAccumulationSteps ?? 1;
  const maxGradNorm = options.maxGradNorm ?? null;
  const seed = options.seed ?? 0;
  const callbacks =
    options.callbacks === undefined
      ? []
      : Array.isArray(options.callbacks)
        ? options.callbacks
        : [options.callbacks as TrainCallbacks];
  const countTokens = options.countTokens ?? defaultTokenCount;
  const evaluation = options.evaluation;
  const ckpt = options.checkpoint;
  const storage = options.storage as TrainerStorage; // validate: set whenever checkpoint, resume or metricsLog is
  const rng = Rng.derive(seed, 'trainer');
  const variables = parameters.map(([, p]) => p.value);
  // Hugging Face Trainer's default groups: biases and norm weights take no weight decay.
  const decayed = decayParameterNames(model);
  const modelNames = new Set([...model.namedParameters()].map(([name]) => name));
  const stepContext: StepContext = {
    noDecay: new Set(
      parameters
        .map(([name]) => name)
        .filter((name) => (modelNames.has(name) ? !decayed.has(name) : isNoDecayName(name))),
    ),
  };
  const nameOfVariable = new Map(parameters.map(([name, p]) => [p.value.name, name]));

  let step = 0;
  let epoch = 0;
  let batchInEpoch = 0;
  let microBatches = 0;
  let tokens = 0;
  const history: StepRecord[] = [];
  const evals: EvalRecord[] = [];
  let resumedFrom: string | null = null;
  let lastCheckpoint: string | null = null;
  let lastCheckpointStep = -1;

  if (options.resume !== undefined) {
    const dir = await storage.findLatestCheckpoint(options.resume);
    if (dir === null)
      throw new CheckpointError(
        `resume: no complete checkpoint in ${options.resume}; start without resume, or point to a step-NNNNNN directory`,
      );
    const checkpoint = await storage.readCheckpoint(dir);
    if (checkpoint.state.seed !== seed) {
      throw new CheckpointError(
        `resume: ${dir} was written with seed ${JSON.stringify(checkpoint.state.seed)} but options.seed is ${JSON.stringify(seed)}; pass the same seed so the data order continues exactly`,
      );
    }
    restoreCheckpoint(checkpoint, model, parameters, optimizer, rng);
    ({ step, epoch, batchInEpoch, microBatches, tokens } = checkpoint.state);
    history.push(...checkpoint.state.history);
    evals.push(...checkpoint.state.evals);
    resumedFrom = lastCheckpoint = dir;
    lastCheckpointStep = step;
  }
  if (ckpt !== undefined) await storage.removeStaleTemporaries(ckpt.dir);
  const log =
    options.metricsLog === undefined
      ? null
      : await storage.openMetricsLog(options.metricsLog, resumedFrom === null ? null : step);

  const stepsPerEpoch = data.batchesPerEpoch === undefined ? null : Math.ceil(data.batchesPerEpoch / accumulation);
  const totalSteps = minDefined(
    options.maxSteps,
    options.epochs !== undefined && stepsPerEpoch !== null ? options.epochs * stepsPerEpoch : undefined,
  );
  const finished = (): boolean =>
    (options.maxSteps !== undefined && step >= options.maxSteps) ||
    (options.epochs !== undefined && epoch >= options.epochs);
  const aborted = (): boolean => options.signal?.aborted === true;

  const wasTraining = model.training;
  let micro = 0;
  let stepTokens = 0;
  let trainSeconds = 0;
  let stepsThisRun = 0;
  let tokensThisRun = 0;
  let stepStart = performance.now();

  const runEvaluation = async (): Promise<void> => {
    if (evaluation === undefined) return;
    const metrics = await evaluate({
      model,
      data: evaluation.data,
      loss: lossFn,
      metrics: evaluation.metrics,
      batchWeight: evaluation.batchWeight,
      seed,
      step,
    });
    const record: EvalRecord = { step, epoch, metrics };
    evals.push(record);
    await log?.write({ type: 'eval', ...record });
    for (const c of callbacks) await c.onEval?.(record);
  };

  const saveCheckpoint = async (): Promise<void> => {
    if (ckpt === undefined) return;
    const state: Omit<TrainerState, 'files'> = {
      format: 'peftjs-trainer-state',
      version: 1,
      step,
      epoch,
      batchInEpoch,
      microBatches,
      tokens,
      seed,
      schedule: { kind: schedule.kind, config: schedule.config, nextMultiplier: schedule.multiplier(step) },
      optimizer: { kind: optimizer.kind, config: optimizer.config },
      rng: rng.getState(),
      moduleRngs: getModuleRngStates(model),
      parameters: parameters.map(([name]) => name),
      history,
      evals,
    };
    const weights = parameters.map(([name, p]) => [name, p.value] as const);
    lastCheckpoint = await storage.writeCheckpoint(ckpt.dir, weights, optimizer.getState(), state);
    lastCheckpointStep = step;
    await storage.pruneCheckpoints(ckpt.dir, ckpt.keepLast ?? 3);
    await log?.write({ type: 'checkpoint', step, path: lastCheckpoint });
    for (const c of callbacks) await c.onCheckpoint?.({ step, path: lastCheckpoint });
  };

  // The accumulation window: gradients and losses of the micro-batches that scored something.
  // One such micro-batch keeps its own mean gradient; several are summed weighted by their counts
  // and divided by the window's total count (Hugging Face's num_items_in_batch rule).
  let accumulated: Map<string, tf.Tensor> | null = null;
  let contributing = 0;
  let firstLoss = 0;
  let firstWeight = 0;
  let weightedLossSum = 0;
  let windowWeight = 0;

  const addWeighted = (grads: tf.NamedTensorMap, weight: number): void => {
    if (accumulated === null) {
      accumulated = new Map();
      for (const [varName, g] of Object.entries(grads)) accumulated.set(nameOfVariable.get(varName) as string, g);
      return;
    }
    const acc = accumulated;
    if (contributing === 1) {
      // The first micro-batch was kept unweighted in case it stayed alone; weight it now.
      for (const [name, g] of acc) {
        acc.set(
          name,
          tf.tidy(() => tf.mul(g, firstWeight)),
        );
        g.dispose();
      }
    }
    for (const [varName, g] of Object.entries(grads)) {
      const name = nameOfVariable.get(varName) as string;
      const previous = acc.get(name);
      acc.set(
        name,
        tf.tidy(() => (previous === undefined ? tf.mul(g, weight) : tf.add(previous, tf.mul(g, weight)))),
      );
      previous?.dispose();
      g.dispose();
    }
  };

  const microStep = (batch: B): void => {
    const context: LossContext = { step, epoch, rng, training: true };
    let weight = 0;
    const { value, grads } = tf.variableGrads(() => {
      const resolved = lossAndWeight(lossFn(model, batch, context), batch);
      weight = resolved.weight;
      return resolved.loss;
    }, variables);
    const loss = value.dataSync()[0] as number;
    value.dispose();
    micro++;
    stepTokens += countTokens(batch);
    if (weight === 0) {
      // Nothing scored (every label -100): the micro-batch contributes nothing to the step.
      disposeAll(Object.values(grads));
      return;
    }
    addWeighted(grads, weight);
    contributing++;
    if (contributing === 1) {
      firstLoss = loss;
      firstWeight = weight;
    }
    weightedLossSum += loss * weight;
    windowWeight += weight;
  };

  const finishStep = async (): Promise<void> => {
    const sums = accumulated ?? new Map<string, tf.Tensor>();
    const n = contributing;
    const scored = windowWeight;
    const loss = n === 0 ? 0 : n === 1 ? firstLoss : weightedLossSum / scored;
    accumulated = null;
    micro = 0;
    contributing = 0;
    weightedLossSum = 0;
    windowWeight = 0;
    let averaged = sums;
    let clipped: Map<string, tf.Tensor> | null = null;
    try {
      if (!Number.isFinite(loss)) throw new NonFiniteLossError(step + 1, 'loss', loss, lastCheckpoint);
      if (n > 1) averaged = new Map([...sums].map(([name, g]) => [name, tf.tidy(() => tf.div(g, scored))]));
      const result = clipGradNorm(averaged, maxGradNorm);
      clipped = result.grads;
      if (!Number.isFinite(result.totalNorm))
        throw new NonFiniteLossError(step + 1, 'gradient norm', result.totalNorm, lastCheckpoint);
      const learningRate = optimizer.learningRate * schedule.multiplier(step);
      // A window that scored nothing changes nothing (no update, no optimizer state).
      if (n > 0) optimizer.step(parameters, clipped, learningRate, stepContext);
      step++;
      history.push({ step, epoch, loss, learningRate, gradNorm: result.totalNorm, tokens: stepTokens, scored });
      tokens += stepTokens;
      tokensThisRun += stepTokens;
      stepTokens = 0;
    } finally {
      disposeAll([...sums.values()]);
      if (averaged !== sums) disposeAll([...averaged.values()]);
      if (clipped !== null) disposeAll([...clipped.values()]);
    }
    trainSeconds += (performance.now() - stepStart) / 1000;
    stepsThisRun++;
    const record = history[history.length - 1] as StepRecord;
    const secondsPerStep = trainSeconds / stepsThisRun;
    const info: StepInfo = {
      ...record,
      totalSteps,
      elapsedSeconds: trainSeconds,
      tokensPerSecond: trainSeconds > 0 ? tokensThisRun / trainSeconds : 0,
      etaSeconds: totalSteps === null ? null : Math.max(0, totalSteps - step) * secondsPerStep,
    };
    await log?.write({ type: 'step', ...record, elapsedSeconds: trainSeconds });
    for (const c of callbacks) await c.onStep?.(info);
    if (evaluation !== undefined && step % evaluation.every === 0) await runEvaluation();
    if (ckpt !== undefined && step % ckpt.every === 0) await saveCheckpoint();
    stepStart = performance.now();
  };

  model.train();
  try {
    for (const c of callbacks) await c.onStart?.({ step, totalSteps, resumedFrom });
    if (evaluation?.atStart === true && step === 0) await runEvaluation();
    stepStart = performance.now();
    outer: while (!finished() && !aborted()) {
      const startIndex = batchInEpoch;
      let yielded = 0;
      for await (const batch of data.batches(epoch, startIndex, Rng.derive(seed, `data/epoch-${epoch}`))) {
        yielded++;
        try {
          microStep(batch);
        } finally {
          disposeTensors(batch);
        }
        batchInEpoch++;
        microBatches++;
        if (micro === accumulation) {
          await finishStep();
          if (finished() || aborted()) break outer;
        }
      }
      if (yielded === 0 && startIndex === 0) {
        throw new Error(
          `data.batches(${epoch}, 0, rng) yielded no batches; a data source must yield at least one batch per epoch`,
        );
      }
      if (micro > 0) await finishStep(); // the epoch ended inside an accumulation window: step with what we have
      if (finished() || aborted()) break;
      epoch++;
      batchInEpoch = 0;
    }
    if (evaluation !== undefined && (evaluation.atEnd ?? true) && step > 0 && evals[evals.length - 1]?.step !== step)
      await runEvaluation();
    if (ckpt !== undefined && (ckpt.atEnd ?? true) && step > 0 && lastCheckpointStep !== step) await saveCheckpoint();
    const result: TrainResult = {
      step,
      epoch,
      history,
      evals,
      lastCheckpoint,
      resumedFrom,
      stoppedEarly: aborted() && !finished(),
    };
    for (const c of callbacks) await c.onEnd?.(result);
    return result;
  } finally {
    if (accumulated !== null) disposeAll([...(accumulated as Map<string, tf.Tensor>).values()]);
    optimizer.dispose();
    model.train(wasTraining);
  }
}

function validate<M extends AnyModule, B extends object>(
  options: TrainOptions<M, B>,
  parameters: readonly NamedParameter[],
): void {
  if (options.maxSteps === undefined && options.epochs === undefined)
    throw new RangeError('train: set maxSteps or epochs (or both)');
  positiveInt('maxSteps', options.maxSteps);
  positiveInt('epochs', options.epochs);
  positiveInt('gradientAccumulationSteps', options.gradientAccumulationSteps);
  positiveInt('evaluation.every', options.evaluation?.every);
  positiveInt('checkpoint.every', options.checkpoint?.every);
  positiveInt('checkpoint.keepLast', options.checkpoint?.keepLast);
  const stored = (['checkpoint', 'resume', 'metricsLog'] as const).filter((k) => options[k] !== undefined);
  if (stored.length > 0 && options.storage === undefined)
    throw new PeftjsError(
      'E_TRAINER_STORAGE',
      `train: ${stored.join(', ')} need options.storage; on Node pass fileStorage from '@peftjs/trainer/node', elsewhere your own TrainerStorage`,
    );
  if (parameters.length === 0)
    throw new Error(
      'train: there are no parameters to train; unfreeze some (or inject adapters) or pass options.parameters',
    );
  const seen = new Set<string>();
  for (const [name, p] of parameters) {
    if (seen.has(name)) throw new Error(`train: parameter name "${name}" appears twice in options.parameters`);
    seen.add(name);
    if (!p.trainable)
      throw new Error(
        `train: parameter "${name}" is frozen (trainable = false); unfreeze it or leave it out of options.parameters`,
      );
  }
}

function positiveInt(field: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1))
    throw new RangeError(`train: ${field} must be a positive integer, got ${value}`);
}

function minDefined(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined) return b ?? null;
  return b === undefined ? a : Math.min(a, b);
}

function disposeAll(tensors: readonly tf.Tensor[]): void {
  for (const t of tensors) t.dispose();
}
