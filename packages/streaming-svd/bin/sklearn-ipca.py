#!/usr/bin/env python3
"""Times scikit-learn's IncrementalPCA on the same stream as peftjs-svd-bench.

Usage: python3 sklearn-ipca.py X.safetensors K BATCH OUT.safetensors
Reads the float32 matrix (tensor "x", or the only tensor), calls partial_fit on consecutive
row batches (a last batch shorter than K is dropped, as the JS bench does), prints one JSON line
and writes components_ / explained_variance_ratio_ / singular_values_ (F64) to OUT.
"""
import json
import struct
import sys
import time

import numpy as np
from sklearn.decomposition import IncrementalPCA


def read_matrix(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    name = "x" if "x" in header else ("X" if "X" in header else next(iter(header)))
    info = header[name]
    if info["dtype"] != "F32":
        raise SystemExit(f"tensor {name} is {info['dtype']}, expected F32")
    start, end = info["data_offsets"]
    return np.frombuffer(data[8 + n + start:8 + n + end], dtype="<f4").reshape(info["shape"])


def write_f64(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        raw = np.ascontiguousarray(arr, dtype="<f8").tobytes()
        header[name] = {"dtype": "F64", "shape": list(np.shape(arr)), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    path, k, batch, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    x = read_matrix(path)
    ipca = IncrementalPCA(n_components=k)
    times = []
    for start in range(0, x.shape[0], batch):
        chunk = x[start:start + batch]
        if chunk.shape[0] < k:
            break
        t0 = time.perf_counter()
        ipca.partial_fit(chunk)
        times.append((time.perf_counter() - t0) * 1000)
    write_f64(out, {"components": ipca.components_, "explained_variance_ratio": ipca.explained_variance_ratio_,
                    "singular_values": ipca.singular_values_})
    import sklearn
    print(json.dumps({"ms_per_batch": float(np.median(times)), "batches": len(times),
                      "ms_total": float(np.sum(times)), "sklearn": sklearn.__version__, "dtype": str(x.dtype)}))


if __name__ == "__main__":
    main()
