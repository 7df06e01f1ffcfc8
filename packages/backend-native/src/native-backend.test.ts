import './tfjs-gradients.test-support';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openblasCoreTypeFor } from './cpu-features';
import { INSTALL_HINT, loadAddon, packageRoot, readBuildRecord } from './load-addon';
import { NativeBackendError } from './native-backend-error';
import { nativeBackendInfo, registerNativeBackend } from './register-native-backend';

describe('native backend', () => {
  beforeAll(async () => {
    registerNativeBackend({ threads: 2 });
    await tf.setBackend('native');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('loads in CI (CI=true): a missing apt package or compiler must fail the build, not silently test wasm', () => {
    const info = nativeBackendInfo();
    if (process.env.CI === 'true') expect(readBuildRecord()?.ok).toBe(true);
    expect(['onednn', 'openblas']).toContain(info.blas);
    expect(info.threads).toBe(2);
    expect(tf.getBackend()).toBe('native');
  });

  it('never recycles an array that dataSync handed out', () => {
    const a = tf.fill([64, 64], 3);
    const b = tf.add(a, 1); // a pooled native output
    const seen = b.dataSync();
    b.dispose();
    const c = tf.add(a, 100); // same length: would reuse b's array if it were pooled
    expect(seen[0]).toBe(4);
    expect(seen[4095]).toBe(4);
    tf.dispose([a, c]);
  });

  it('never recycles an array that a cpu kernel may still view (Unpack returns subarrays)', () => {
    const a = tf.fill([2, 2048], 1);
    const b = tf.mul(a, 5); // pooled
    const parts = tf.unstack(b); // cpu kernel, views of b's storage
    b.dispose();
    const c = tf.mul(a, 7);
    expect((parts[1] as tf.Tensor).dataSync()[0]).toBe(5);
    tf.dispose([a, c, ...parts]);
  });

  it('reuses pooled arrays without leaking tensors, and results stay right', () => {
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([128, 128], 0, 1, 'float32', 1);
    const first = tf.tidy(() => tf.sum(tf.matMul(x, x)).dataSync()[0] as number);
    for (let i = 0; i < 5; i++) {
      const again = tf.tidy(() => tf.sum(tf.matMul(x, x)).dataSync()[0] as number);
      expect(again).toBe(first);
    }
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves JS arithmetic IEEE: FTZ/DAZ is set only on OpenMP workers and inside kernels, never left on the JS thread', () => {
    // Thread 0 of an OpenMP team is the calling (JS) thread: a flush-denormals mode left on it turns every
    // denormal double or float32 in JS to 0 (Number.MIN_VALUE > 0 became false when this was wrong).
    const a = tf.randomNormal([96, 64], 0, 1, 'float32', 3);
    tf.tidy(() => tf.matMul(a, a, false, true).dataSync()); // kernels run in parallel on 2 threads
    registerNativeBackend({ threads: 2 });
    const tiny = Number.MIN_VALUE * Number(a.shape[0] > 0); // computed at run time, not folded
    expect(tiny > 0).toBe(true);
    expect(tiny * 2 ** 1000).toBeGreaterThan(0);
    expect((new Float32Array([1e-40])[0] as number) / 1e-40).toBeCloseTo(1, 4); // a float32 denormal survives the store
    expect(2.2250738585072014e-308 / 4).toBe(5.562684646268003e-309);
    a.dispose();
  });

  it('flushes denormals: exp and softmax underflow to exact 0', () => {
    const e = tf.exp(tf.tensor1d([-88, -100, -87.5, 0])).dataSync();
    for (const v of [e[0], e[1], e[2]]) expect(v === 0 || (v as number) >= 1.1754943508222875e-38).toBe(true);
    const p = tf.softmax(tf.tensor2d([[0, -1e9, -95, -100]])).dataSync();
    expect(p[1]).toBe(0);
    for (const v of p) expect(v === 0 || v >= 1.1754943508222875e-38).toBe(true);
  });
});

describe('install and load failures', () => {
  it('the install script exits 0 and records what to install when the compiler is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'peftjs-native-'));
    try {
      for (const part of ['scripts', 'native', 'binding.gyp', 'package.json'])
        cpSync(join(packageRoot(), part), join(dir, part), { recursive: true });
      const run = spawnSync(process.execPath, [join(dir, 'scripts', 'build.mjs')], {
        cwd: dir,
        env: { PATH: '/nonexistent' },
        encoding: 'utf8',
      });
      expect(run.status).toBe(0);
      const record = JSON.parse(readFileSync(join(dir, 'build', 'native-build.json'), 'utf8')) as {
        ok: boolean;
        reason: string;
        install: string;
      };
      expect(record.ok).toBe(false);
      expect(record.reason).toMatch(/`g\+\+` is not installed/);
      expect(record.install).toBe('apt-get install -y g++ libopenblas-dev && npm rebuild @peftjs/backend-native');
      expect(existsSync(join(dir, 'build', 'Release'))).toBe(false);
      // The backend then reports that reason and the command.
      const error = (() => {
        try {
          loadAddon(dir);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(NativeBackendError);
      expect((error as NativeBackendError).code).toBe('E_NATIVE_NOT_BUILT');
      expect((error as Error).message).toBe(
        '@peftjs/backend-native was not built: `g++` is not installed; run `apt-get install -y g++ libopenblas-dev && npm rebuild @peftjs/backend-native`',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the apt packages in its default hint', () => {
    expect(INSTALL_HINT).toMatch(/^apt-get install -y .*libopenblas-dev/);
  });
});

describe('openblasCoreTypeFor', () => {
  it('names SkylakeX for AVX-512 CPUs (the Xeon that Debian OpenBLAS 0.3.21 misdetects), Haswell for AVX2', () => {
    const avx512 =
      'processor\t: 0\nflags\t\t: fpu sse sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl amx_tile\n';
    expect(openblasCoreTypeFor(avx512)).toBe('SkylakeX');
    expect(openblasCoreTypeFor('flags\t: sse sse2 avx avx2 fma\n')).toBe('Haswell');
    expect(openblasCoreTypeFor('flags\t: sse sse2\n')).toBeUndefined();
    expect(openblasCoreTypeFor(null)).toBeUndefined();
  });
});
