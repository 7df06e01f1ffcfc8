/**
 * A learning-rate schedule: the factor the optimizer's base learning rate is multiplied by.
 *
 * Indexing follows PyTorch's `LambdaLR` as Hugging Face uses it (`optimizer.step()` then
 * `scheduler.step()`): update number `k` (0-based) uses `baseLr * multiplier(k)`, so with a
 * warm-up the very first update has learning rate 0, exactly as `get_cosine_schedule_with_warmup`.
 * A schedule is a pure function of the step, so a checkpoint only needs the step to resume it.
 */
export interface Schedule {
  /** Stable name recorded in `trainer_state.json` (`constant`, `linear-with-warmup`, ...). */
  readonly kind: string;
  /** JSON-safe parameters, recorded in `trainer_state.json`. */
  readonly config: Readonly<Record<string, number>>;
  /** The factor on the base learning rate for update number `step` (0-based). */
  multiplier(step: number): number;
}

/** Multiplier 1 at every step. */
export function constantSchedule(): Schedule {
  return { kind: 'constant', config: {}, multiplier: () => 1 };
}

/** `step / warmupSteps` during warm-up, then 1 (HF `get_constant_schedule_with_warmup`). */
export function constantScheduleWithWarmup(options: { warmupSteps: number }): Schedule {
  const warmupSteps = checkSteps('constantScheduleWithWarmup', 'warmupSteps', options.warmupSteps);
  return {
    kind: 'constant-with-warmup',
    config: { warmupSteps },
    multiplier: (step) => (step < warmupSteps ? step / Math.max(1, warmupSteps) : 1),
  };
}

/** Linear warm-up to 1, then linear decay to 0 at `totalSteps` (HF `get_linear_schedule_with_warmup`). */
export function linearScheduleWithWarmup(options: { warmupSteps: number; totalSteps: number }): Schedule {
  const warmupSteps = checkSteps('linearScheduleWithWarmup', 'warmupSteps', options.warmupSteps);
  const totalSteps = checkTotal('linearScheduleWithWarmup', warmupSteps, options.totalSteps);
  return {
    kind: 'linear-with-warmup',
    config: { warmupSteps, totalSteps },
    multiplier: (step) => {
      if (step < warmupSteps) return step / Math.max(1, warmupSteps);
      return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    },
  };
}

/**
 * Linear warm-up to 1, then cosine decay over `numCycles` periods (default 0.5: down to 0 at
 * `totalSteps`), as HF `get_cosine_schedule_with_warmup`:
 * `max(0, 0.5 * (1 + cos(pi * numCycles * 2 * progress)))`, `progress = (step - warmup) / (total - warmup)`.
 */
export function cosineScheduleWithWarmup(options: {
  warmupSteps: number;
  totalSteps: number;
  numCycles?: number;
}): Schedule {
  const warmupSteps = checkSteps('cosineScheduleWithWarmup', 'warmupSteps', options.warmupSteps);
  const totalSteps = checkTotal('cosineScheduleWithWarmup', warmupSteps, options.totalSteps);
  const numCycles = options.numCycles ?? 0.5;
  if (!(Number.isFinite(numCycles) && numCycles > 0))
    throw new RangeError(`cosineScheduleWithWarmup: numCycles must be > 0, got ${numCycles}`);
  return {
    kind: 'cosine-with-warmup',
    config: { warmupSteps, totalSteps, numCycles },
    multiplier: (step) => {
      if (step < warmupSteps) return step / Math.max(1, warmupSteps);
      const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * numCycles * 2 * progress)));
    },
  };
}

function checkSteps(owner: string, field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${owner}: ${field} must be an integer >= 0, got ${value}`);
  return value;
}

function checkTotal(owner: string, warmupSteps: number, totalSteps: number): number {
  if (!Number.isInteger(totalSteps) || totalSteps < 1)
    throw new RangeError(`${owner}: totalSteps must be an integer >= 1, got ${totalSteps}`);
  if (totalSteps < warmupSteps)
    throw new RangeError(`${owner}: totalSteps (${totalSteps}) must be >= warmupSteps (${warmupSteps})`);
  return totalSteps;
}
