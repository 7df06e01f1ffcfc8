/** The LoRA and EVA settings every fine-tuning task of the demos and `peftjs compare` shares. */
export interface LoraRunSettings {
  /** LoRA rank per layer (EVA: the per-layer share of its rank budget). */
  readonly r: number;
  /** LoRA `alpha`; the update is scaled by `alpha / r`. */
  readonly alpha: number;
  /** EVA's rank budget factor: a layer may get up to `r * rho` components. */
  readonly rho: number;
  /** EVA's convergence threshold on the cosine between successive component fits, in [0, 1]. */
  readonly tau: number;
  /** Peak learning rate of AdamW under a cosine schedule with 10% warmup. */
  readonly learningRate: number;
  /** Module names LoRA targets (e.g. GPT-2's `c_attn`, `c_proj`, `c_fc`). */
  readonly targets: readonly string[];
  /** Most batches EVA may use; unconverged layers then keep their partial fit. */
  readonly evaMaxSteps: number;
}
