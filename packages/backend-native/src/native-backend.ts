import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { DataId, DataType, TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import type { BufferPool } from './buffer-pool';
import type { NativeAddon } from './native-addon';

/**
 * The `native` tfjs backend: `MathBackendCPU`'s storage (so every cpu kernel runs on it unchanged)
 * plus a pool for the output arrays of native kernels. Kernels reach the addon through `addon`.
 */
export class NativeBackend extends MathBackendCPU {
  readonly addon: NativeAddon;
  readonly pool: BufferPool;

  constructor(addon: NativeAddon, pool: BufferPool) {
    super();
    this.addon = addon;
    this.pool = pool;
    // MathBackendCPU prints an "install tfjs-node" banner on first write; this backend is the native one.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** The float32 storage of `t`, or `null` when it is not a real Float32Array (int/bool data, complex, Cast aliasing). */
  f32(t: TensorInfo): Float32Array | null {
    if (t.dtype !== 'float32') return null;
    const values = this.data.get(t.dataId)?.values;
    return values instanceof Float32Array ? values : null;
  }

  /** The values of `t` as a Float32Array (a converted copy when the storage is not one). */
  floats(t: TensorInfo): Float32Array {
    const values = this.data.get(t.dataId)?.values;
    if (values instanceof Float32Array) return values;
    return Float32Array.from(values as ArrayLike<number>);
  }

  /** The values of `t` as an Int32Array (a converted copy when the storage is not one). */
  ints(t: TensorInfo): Int32Array {
    const values = this.data.get(t.dataId)?.values;
    if (values instanceof Int32Array) return values;
    return Int32Array.from(values as ArrayLike<number>);
  }

  /** Raw storage of any tensor (int32 indices, bool masks). */
  values(t: TensorInfo): backend_util.BackendValues | undefined {
    return this.data.get(t.dataId)?.values;
  }

  /** A pooled output array of `n` elements; its contents are garbage until the kernel writes them all. */
  alloc(n: number): Float32Array {
    return this.pool.take(n);
  }

  /** Wraps a kernel's output array as a float32 tensor of `shape`. */
  output(shape: number[], values: Float32Array): TensorInfo {
    return this.makeTensorInfo(shape, 'float32', values);
  }

  override readSync(dataId: DataId): backend_util.BackendValues {
    // tfjs hands this live array to the caller (dataSync): it must never be recycled.
    this.pool.markShared(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const entry = this.data.get(dataId);
    const values = entry?.values;
    const freed = super.disposeData(dataId, force);
    if (freed && entry !== undefined && !this.data.has(dataId)) this.pool.release(values);
    return freed;
  }

  override move(
    dataId: DataId,
    values: backend_util.BackendValues,
    shape: number[],
    dtype: DataType,
    refCount: number,
  ): void {
    this.pool.markShared(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override dispose(): void {
    this.pool.clear();
    super.dispose();
  }
}
