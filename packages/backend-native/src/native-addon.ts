/** The functions the compiled addon (`build/Release/peftjs_native.node`) exports; all float32, row-major. */
export interface NativeAddon {
  setThreads(threads: number): number;
  info(): { blas: string; core: string; threads: number; openmp: boolean };
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
  unary(op: number, out: Float32Array, x: Float32Array): void;
  binary(op: number, out: Float32Array, a: Float32Array, b: Float32Array, rank: number, params: Int32Array): void;
  reduce(op: number, out: Float32Array, x: Float32Array, outer: number, inner: number): void;
  reduceLeading(op: number, out: Float32Array, x: Float32Array, outer: number, inner: number): void;
  softmax(out: Float32Array, x: Float32Array, rows: number, cols: number): void;
  transpose(out: Float32Array, x: Float32Array, rank: number, params: Int32Array): void;
  slice(out: Float32Array, x: Float32Array, rank: number, params: Int32Array): void;
  concat(out: Float32Array, inputs: Float32Array[], outer: number, widths: Int32Array): void;
  gather(
    out: Float32Array,
    x: Float32Array,
    indices: Int32Array,
    outer: number,
    axisDim: number,
    inner: number,
  ): boolean;
  oneHot(out: Float32Array, indices: Int32Array, depth: number, onValue: number, offValue: number): void;
  gelu(out: Float32Array, x: Float32Array): void;
  geluGrad(dx: Float32Array, x: Float32Array, dy: Float32Array): void;
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
  crossEntropy(
    out: Float32Array,
    logits: Float32Array,
    targets: Int32Array,
    weights: Float32Array,
    rows: number,
    cols: number,
    scale: number,
  ): void;
  crossEntropyGrad(
    dlogits: Float32Array,
    logits: Float32Array,
    targets: Int32Array,
    weights: Float32Array,
    rows: number,
    cols: number,
    scale: number,
  ): void;
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
