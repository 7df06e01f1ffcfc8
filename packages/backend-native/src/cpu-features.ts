import { readFileSync } from 'node:fs';

/**
 * The `OPENBLAS_CORETYPE` that matches this CPU's instruction set, read from `/proc/cpuinfo`.
 * Debian's OpenBLAS 0.3.21 does not recognise recent Xeons (e.g. model 0xCF) and silently falls
 * back to its SSE3 "Prescott" kernels, ~4x slower; naming the core type by features avoids that.
 * Returns `undefined` when the flags cannot be read (`null`: non-Linux) or show no AVX2.
 */
export function openblasCoreTypeFor(cpuinfo: string | null = readCpuinfo()): string | undefined {
  if (cpuinfo === null) return undefined;
  const line = cpuinfo.split('\n').find((l) => l.startsWith('flags'));
  if (line === undefined) return undefined;
  const flags = new Set(
    line
      .slice(line.indexOf(':') + 1)
      .trim()
      .split(/\s+/),
  );
  const all = (...names: string[]) => names.every((n) => flags.has(n));
  if (all('avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512cd')) return 'SkylakeX';
  if (all('avx2', 'fma')) return 'Haswell';
  return undefined;
}

function readCpuinfo(): string | null {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return null;
  }
}
