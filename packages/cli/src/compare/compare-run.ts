/** Which run: one method at one learning rate and one seed. */
export interface CompareRunKey {
  readonly method: string;
  readonly learningRate: number;
  readonly seed: number;
}

/** A metric's value after `step` optimizer steps. */
export interface CurvePoint {
  readonly step: number;
  readonly value: number;
}

/** One finished fine-tuning run of `peftjs compare`, as stored in `runs/*.json` and `results.json`. */
export interface CompareRun extends CompareRunKey {
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
  readonly name: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
}

/** File-name-safe, unique id of a run. */
export function runId(key: CompareRunKey): string {
  return `${key.method.replace(/[^\w.-]/g, '_')}__lr${key.learningRate}__seed${key.seed}`;
}
