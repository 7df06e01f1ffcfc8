/** Which run: one method at one learning rate and one seed. */
export interface CompareRunKey {
  /** The method's label, as given in `--methods`. */
  readonly method: string;
  /** Peak learning rate of the run's optimizer. */
  readonly learningRate: number;
  /** Seed of the adapter's initialisation and of the batch order. */
  readonly seed: number;
}

/** A metric's value after `step` optimizer steps. */
export interface CurvePoint {
  /** Optimizer step of the evaluation. */
  readonly step: number;
  /** The metric's value there, in {@link CompareMetric.unit}. */
  readonly value: number;
}

/** One finished fine-tuning run of `peftjs compare`, as stored in `runs/*.json` and `results.json`. */
export interface CompareRun extends CompareRunKey {
  /** Number of trainable (adapter) parameters. */
  readonly trainableParameters: number;
  /** Seconds spent initialising the adapter (EVA: computing its state). */
  readonly initSeconds: number;
  /** Seconds of training, evaluations included. */
  readonly trainSeconds: number;
  /** The task's validation metric by optimizer step (step 0: right after initialisation). */
  readonly curve: readonly CurvePoint[];
  /**
   * The task's secondary metrics ({@link CompareMetric}s in its `secondaryMetrics`) by name, at the
   * steps of `curve`. Absent for tasks without secondary metrics and in runs stored before they existed.
   */
  readonly secondaryCurves?: Readonly<Record<string, readonly CurvePoint[]>>;
  /** EVA's rank per layer (EVA methods only). */
  readonly evaRanks?: Readonly<Record<string, number>>;
}

/** The validation metric a task reports; `unit` labels axes ("nats/token", "fraction correct"). */
export interface CompareMetric {
  /** Shown in tables and charts, e.g. `validation loss`. */
  readonly name: string;
  /** Axis label, e.g. `nats/byte`. */
  readonly unit: string;
  /** True for accuracy-like metrics, false for losses; decides the best learning rate and "reached target". */
  readonly higherIsBetter: boolean;
}

/** File-name-safe, unique id of a run. */
export function runId(key: CompareRunKey): string {
  return `${key.method.replace(/[^\w.-]/g, '_')}__lr${key.learningRate}__seed${key.seed}`;
}
