import { PeftjsError, type Rng } from '@peftjs/core';

/** How the next token is chosen from the logits. Greedy unless `temperature > 0`. */
export interface SamplingOptions {
  /** Divide the logits by this before sampling; 0 or absent = greedy (argmax). */
  readonly temperature?: number;
  /** Keep only the `topK` largest logits (ties with the k-th kept), as HF's `TopKLogitsWarper`. */
  readonly topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches `topP`, as HF's `TopPLogitsWarper`. */
  readonly topP?: number;
}

/**
 * Picks the next token id from one row of logits `[V]` (float32, host): argmax for greedy
 * decoding (the first maximum, as `torch.argmax`), else HF's warper order: temperature, top-k,
 * top-p, then one draw from the softmax with `rng`.
 * @throws PeftjsError `E_SAMPLING_OPTIONS` for a negative temperature, `topK < 1` or `topP` outside (0, 1].
 */
export function sampleNextToken(logits: Float32Array, options: SamplingOptions, rng: Rng): number {
  const temperature = options.temperature ?? 0;
  if (!(temperature >= 0))
    throw new PeftjsError('E_SAMPLING_OPTIONS', `temperature must be >= 0 (0 = greedy), got ${temperature}`);
  if (options.topK !== undefined && !(Number.isInteger(options.topK) && options.topK >= 1))
    throw new PeftjsError('E_SAMPLING_OPTIONS', `topK must be an integer >= 1, got ${options.topK}`);
  if (options.topP !== undefined && !(options.topP > 0 && options.topP <= 1))
    throw new PeftjsError('E_SAMPLING_OPTIONS', `topP must be in (0, 1], got ${options.topP}`);
  if (temperature === 0) return argmax(logits);
  const v = logits.length;
  const scores = Float64Array.from(logits, (x) => x / temperature);
  if (options.topK !== undefined && options.topK < v) {
    const kth = Float64Array.from(scores).sort()[v - options.topK] as number; // k-th largest
    for (let i = 0; i < v; i++) if ((scores[i] as number) < kth) scores[i] = -Infinity;
  }
  if (options.topP !== undefined && options.topP < 1) {
    // HF: sort ascending, drop tokens whose cumulative probability is <= 1 - top_p; the most likely always stays.
    const probs = softmax(scores);
    const ascending = Array.from({ length: v }, (_, i) => i).sort(
      (a, b) => (probs[a] as number) - (probs[b] as number),
    );
    let cumulative = 0;
    for (let r = 0; r < v - 1; r++) {
      const i = ascending[r] as number;
      cumulative += probs[i] as number;
      if (cumulative <= 1 - options.topP) scores[i] = -Infinity;
    }
  }
  const probs = softmax(scores);
  let u = rng.uniform();
  for (let i = 0; i < v; i++) {
    u -= probs[i] as number;
    if (u < 0) return i;
  }
  return argmax(probs); // rounding left a sliver of u: the most likely token
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

function softmax(scores: Float64Array): Float64Array {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  const out = Float64Array.from(scores, (s) => Math.exp(s - max));
  let sum = 0;
  for (const e of out) sum += e;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}
