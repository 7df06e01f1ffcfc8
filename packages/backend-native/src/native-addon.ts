/** The functions the compiled addon (`build/Release/peftjs_native.node`) exports; all float32, row-major. */
export interface NativeAddon {
  /** Sets the OpenMP (and BLAS) thread count, clamped to at least 1; returns the count now in effect. */
  setThreads(threads: number): number;
  /** What the addon was built with and runs on. */
  info(): {
    /** `onednn` or `openblas`. */
    blas: string;
    /** OpenBLAS's core type (`openblas_get_corename()`), or `runtime-dispatch` for oneDNN. */
    core: string;
    /** OpenMP threads now in effect. */
    threads: number;
    /** Whether it was compiled with OpenMP. */
    openmp: boolean;
  };
  /**
   * `out[batch, M, N] = act(op(a) @ op(b) + bias)`, `a: [batch|1, M, K]` (`[K, M]` when `transposeA`),
   * `b: [batch|1, K, N]` (`[N, K]` when `transposeB`), `bias: [N]` or `null`. `aBatched`/`bBatched`,
   * `transposeA`/`transposeB` are 0 or 1; `activation` 0 is linear, 1 is relu.
   */
  gemm(
    out: Float32Array,
    a: Float32Array,
    b: Float32Array,
    bias: Float32Array | null,
    batch: number,
    aBatched: number,
    bBatched: number,
    m: number,
    n: number,
    k: number,
    transposeA: number,
    transposeB: number,
    activation: number,
  ): void;
  /** `out[i] = f(x[i])`; `op`: 0 exp, 1 log, 2 tanh, 3 sigmoid, 4 sqrt, 5 rsqrt, 6 square, 7 neg, 8 relu, 9 abs, 10 reciprocal. */
  unary(op: number, out: Float32Array, x: Float32Array): void;
  /**
   * NumPy-broadcast `out = f(a, b)`; `op`: 0 add, 1 sub, 2 mul, 3 div, 4 pow, 5 max, 6 min, 7 squared
   * difference. `params` is `[dims(rank), aStrides(rank), bStrides(rank)]` after collapsing axes (rank <= 4).
   */
  binary(op: number, out: Float32Array, a: Float32Array, b: Float32Array, rank: number, params: Int32Array): void;
  /** `x: [outer, inner] -> out: [outer]` over the inner axis; `op`: 0 sum, 1 mean, 2 max, 3 min. */
  reduce(op: number, out: Float32Array, x: Float32Array, outer: number, inner: number): void;
  /** `x: [outer, inner] -> out: [inner]` over the leading axis (bias gradients); `op` as in `reduce`. */
  reduceLeading(op: number, out: Float32Array, x: Float32Array, outer: number, inner: number): void;
  /** Row-wise softmax of `x: [rows, cols]`. */
  softmax(out: Float32Array, x: Float32Array, rows: number, cols: number): void;
  /** `out = transpose(x, perm)`; `params` is `[shape(rank), perm(rank)]`, rank <= 8. */
  transpose(out: Float32Array, x: Float32Array, rank: number, params: Int32Array): void;
  /** `out = x[begin : begin + size]` (a copy); `params` is `[shape(rank), begin(rank), size(rank)]`, rank <= 8. */
  slice(out: Float32Array, x: Float32Array, rank: number, params: Int32Array): void;
  /** `out[o, :]` is the concatenation of `inputs[i][o, :]`, each `widths[i]` wide, for `o < outer`. */
  concat(out: Float32Array, inputs: Float32Array[], outer: number, widths: Int32Array): void;
  /**
   * `out[o, i, :] = x[o, indices[i], :]` for `x: [outer, axisDim, inner]`; returns false, writing
   * nothing, when an index is outside `[0, axisDim)`.
   */
  gather(
    out: Float32Array,
    x: Float32Array,
    indices: Int32Array,
    outer: number,
    axisDim: number,
    inner: number,
  ): boolean;
  /** `out: [indices.length, depth]`, `onValue` at each row's index and `offValue` elsewhere. */
  oneHot(out: Float32Array, indices: Int32Array, depth: number, onValue: number, offValue: number): void;
  /** Tanh-approximated GELU, `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))` (HF `gelu_new`). */
  gelu(out: Float32Array, x: Float32Array): void;
  /** `dx = dy * gelu'(x)` for the tanh approximation in `gelu`. */
  geluGrad(dx: Float32Array, x: Float32Array, dy: Float32Array): void;
  /**
   * Last-axis normalisation of `x: [rows, cols]` with `gamma`/`beta: [cols]`: LayerNorm when `rms`
   * is 0, RMSNorm (no `beta`, pass `null`) when it is 1; `eps` is added to the variance.
   */
  norm(
    out: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array | null,
    rows: number,
    cols: number,
    eps: number,
    rms: number,
  ): void;
  /** Gradients of `norm` for upstream `dy`: `dx: [rows, cols]`, `dgamma`/`dbeta: [cols]` (`dbeta` `null` for RMSNorm). */
  normGrad(
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array | null,
    x: Float32Array,
    gamma: Float32Array,
    dy: Float32Array,
    rows: number,
    cols: number,
    eps: number,
    rms: number,
  ): void;
  /**
   * `out[0] = -scale * sum_i weights[i] * log softmax(logits[i])[targets[i]]` for `logits: [rows, cols]`,
   * `targets`/`weights: [rows]`.
   */
  crossEntropy(
    out: Float32Array,
    logits: Float32Array,
    targets: Int32Array,
    weights: Float32Array,
    rows: number,
    cols: number,
    scale: number,
  ): void;
  /** `dlogits[i] = scale * weights[i] * (softmax(logits[i]) - onehot(targets[i]))`; the caller folds the upstream scalar into `scale`. */
  crossEntropyGrad(
    dlogits: Float32Array,
    logits: Float32Array,
    targets: Int32Array,
    weights: Float32Array,
    rows: number,
    cols: number,
    scale: number,
  ): void;
  /**
   * `out = probs @ v` with `probs = softmax(q k^T * scale + bias)`: `q: [B, H, T, D]`, `k`/`v: [B, H, Tk, D]`,
   * `bias: [B, 1, T, Tk]` when `biasBatched` is 1 else `[1, 1, T, Tk]`; writes `out: [B, H, T, D]` and
   * `probs: [B, H, T, Tk]`.
   */
  attention(
    out: Float32Array,
    probs: Float32Array,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    bias: Float32Array,
    batch: number,
    heads: number,
    t: number,
    tk: number,
    d: number,
    biasBatched: number,
    scale: number,
  ): void;
  /** Gradients `dq`, `dk`, `dv` of `attention` from the saved `probs` and upstream `dy: [B*H, T, D]`. */
  attentionGrad(
    dq: Float32Array,
    dk: Float32Array,
    dv: Float32Array,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    probs: Float32Array,
    dy: Float32Array,
    batchHeads: number,
    t: number,
    tk: number,
    d: number,
    scale: number,
  ): void;
  /**
   * LoRA update term `y = scale * u B^T` with `u = x A^T` (Hu et al. 2021, eq. 3): `x: [n, inFeatures]`,
   * `a: [r, inFeatures]`, `b: [outFeatures, r]`; writes `y: [n, outFeatures]` and `u: [n, r]`.
   */
  loraDelta(
    y: Float32Array,
    u: Float32Array,
    x: Float32Array,
    a: Float32Array,
    b: Float32Array,
    n: number,
    inFeatures: number,
    r: number,
    outFeatures: number,
    scale: number,
  ): void;
}
