// The GEMM shapes of one LoRA training step of the demo GPT-2 (8 x 128 tokens, width 128, r = 8),
// plus a square one. [name, batch, M, N, K, transposeA, transposeB].
export const GEMM_SHAPES = [
  ['c_attn forward [1024,128]x[128,384]', 1, 1024, 384, 128, 0, 0],
  ['c_fc forward [1024,128]x[128,512]', 1, 1024, 512, 128, 0, 0],
  ['mlp c_proj forward [1024,512]x[512,128]', 1, 1024, 128, 512, 0, 0],
  ['x W^T [1024,128]x[512,128]^T', 1, 1024, 512, 128, 0, 1],
  ['dW = dy^T x [1024,512]^T x[1024,128]', 1, 512, 128, 1024, 1, 0],
  ['LoRA x A^T [1024,512]x[8,512]^T', 1, 1024, 8, 512, 0, 1],
  ['LoRA dB [8,1024]x[1024,512]', 1, 8, 512, 1024, 0, 0],
  ['attention QK^T [32,128,32]x[32,128,32]^T', 32, 128, 128, 32, 0, 1],
  ['attention PV [32,128,128]x[32,128,32]', 32, 128, 32, 128, 0, 0],
  ['square 512', 1, 512, 512, 512, 0, 0],
];

/** Median GFLOP/s of `addon.gemm` on one shape (raw, no tfjs). */
export function timeGemm(addon, [, batch, m, n, k, ta, tb], budgetSeconds = 0.4) {
  const a = new Float32Array(batch * m * k).map((_, i) => ((i * 7) % 13) / 13 - 0.5);
  const b = new Float32Array(batch * k * n).map((_, i) => ((i * 5) % 11) / 11 - 0.5);
  const c = new Float32Array(batch * m * n);
  const call = () => addon.gemm(c, a, b, null, batch, batch > 1 ? 1 : 0, batch > 1 ? 1 : 0, m, n, k, ta, tb, 0);
  for (let i = 0; i < 3; i++) call();
  const flop = 2 * batch * m * n * k;
  const samples = [];
  const end = performance.now() + budgetSeconds * 1000;
  while (performance.now() < end || samples.length < 5) {
    const reps = Math.max(1, Math.round(2e7 / flop));
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) call();
    samples.push((flop * reps) / ((performance.now() - t0) / 1000) / 1e9);
  }
  samples.sort((p, q) => p - q);
  return samples[Math.floor(samples.length / 2)];
}
