import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { getBackendInfo, setBackend, type ModuleLoader } from './backend';

const missing: ModuleLoader = async (specifier) => {
  if (specifier.startsWith('@tensorflow/tfjs-node') || specifier === '@peftjs/backend-native')
    throw new Error(`Cannot find module '${specifier}'`);
  return import(/* @vite-ignore */ specifier);
};

describe('setBackend', () => {
  afterAll(async () => {
    await setBackend('wasm');
  });

  it('auto falls back from tensorflow to wasm when the native packages are missing, saying why', async () => {
    const tried: string[] = [];
    const info = await setBackend('auto', {
      loader: async (s) => {
        tried.push(s);
        return missing(s);
      },
    });
    expect(info.name).toBe('wasm');
    expect(info.package).toBe('@tensorflow/tfjs-backend-wasm');
    expect(tried.slice(0, 2)).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(info.skipped[0]?.reason).toMatch(/npm install @tensorflow\/tfjs-node/);
  });

  it('auto picks tensorflow when a native package loads and registers its backend', async () => {
    const loader: ModuleLoader = async (specifier) => {
      if (specifier === '@tensorflow/tfjs-node-gpu') throw new Error('no CUDA');
      if (specifier === '@tensorflow/tfjs-node') {
        // What the real package does at import: register a backend named "tensorflow".
        if (tf.findBackendFactory('tensorflow') === null) {
          const cpuFactory = tf.findBackendFactory('cpu');
          if (cpuFactory === null) throw new Error('cpu backend missing');
          tf.registerBackend('tensorflow', cpuFactory, 1);
        }
        return {};
      }
      return missing(specifier);
    };
    const info = await setBackend('auto', { loader });
    expect(info.name).toBe('tensorflow');
    expect(info.package).toBe('@tensorflow/tfjs-node');
    expect((await getBackendInfo()).name).toBe('tensorflow');
    tf.removeBackend('tensorflow');
  });

  it('auto falls back to cpu when wasm cannot load either', async () => {
    const loader: ModuleLoader = async (s) => {
      throw new Error(`Cannot find module '${s}'`);
    };
    const info = await setBackend('auto', { loader });
    expect(info.name).toBe('cpu');
    expect(info.skipped.map((s) => s.backend)).toEqual(['tensorflow', 'native', 'wasm']);
  });

  it('an explicit tensorflow request that cannot load explains what to install', async () => {
    await expect(setBackend('tensorflow', { loader: missing })).rejects.toThrow(
      /npm install @tensorflow\/tfjs-node-gpu/,
    );
  });

  it('auto falls back from native to wasm with one notice naming what to install', async () => {
    const loader: ModuleLoader = async (specifier) => {
      if (specifier === '@peftjs/backend-native') {
        // What the real package does when its addon was not built at install time.
        return {
          registerNativeBackend: () => {
            throw new Error(
              '@peftjs/backend-native was not built: no BLAS headers found; run `apt-get install -y libopenblas-dev`',
            );
          },
        };
      }
      return missing(specifier);
    };
    const info = await setBackend('auto', { loader });
    expect(info.name).toBe('wasm');
    expect(info.skipped.map((s) => s.backend)).toEqual(['tensorflow', 'native']);
    expect(info.notice).toMatch(/^native backend unavailable \(.*apt-get install -y libopenblas-dev.*\); using wasm$/);
  });

  it('auto picks native when the package registers its backend, and reports its threads', async () => {
    const loader: ModuleLoader = async (specifier) => {
      if (specifier === '@peftjs/backend-native') {
        return {
          registerNativeBackend: (options: { threads?: number }) => {
            if (tf.findBackendFactory('native') === null) {
              const cpuFactory = tf.findBackendFactory('cpu');
              if (cpuFactory === null) throw new Error('cpu backend missing');
              tf.registerBackend('native', cpuFactory, 1);
            }
            return { threads: options.threads ?? 1 };
          },
        };
      }
      return missing(specifier);
    };
    const info = await setBackend('auto', { loader, threads: 3 });
    expect(info.name).toBe('native');
    expect(info.package).toBe('@peftjs/backend-native');
    expect(info.threads).toBe(3);
    expect(info.notice).toBeNull();
    tf.removeBackend('native');
  });

  it('selects cpu and wasm explicitly', async () => {
    expect((await setBackend('cpu')).name).toBe('cpu');
    expect((await setBackend('wasm')).name).toBe('wasm');
  });
});
