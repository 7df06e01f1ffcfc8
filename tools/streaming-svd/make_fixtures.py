#!/usr/bin/python3
"""Golden fixtures for @peftjs/streaming-svd from scikit-learn's IncrementalPCA.

Writes packages/streaming-svd/test/fixtures/ipca-d64.safetensors (hand-written safetensors:
8-byte little-endian header length + JSON header + raw little-endian data).

Stream: 300 rows, d = 64, a large per-column mean offset (~100) and a decaying spectrum
(20 * 0.75^j + 0.05). X is stored as float32; the references are fitted on X.astype(float64).
Run: /usr/bin/python3 tools/streaming-svd/make_fixtures.py
"""
import json
import os
import struct

import numpy as np
from sklearn.decomposition import PCA, IncrementalPCA

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "packages", "streaming-svd", "test", "fixtures")

N, D, K = 300, 64, 8


def make_stream(seed):
    rng = np.random.default_rng(seed)
    spectrum = 20.0 * 0.75 ** np.arange(D) + 0.05
    basis, _ = np.linalg.qr(rng.standard_normal((D, D)))
    z = rng.standard_normal((N, D))
    offset = 100.0 + 10.0 * rng.standard_normal(D)
    x = offset + (z * spectrum) @ basis.T
    return x.astype(np.float32)


def ipca_steps(x, batch):
    ipca = IncrementalPCA(n_components=K)
    steps = {k: [] for k in ["components", "singular_values", "explained_variance",
                             "explained_variance_ratio", "mean", "var", "noise_variance",
                             "samples_seen"]}
    for start in range(0, x.shape[0], batch):
        ipca.partial_fit(x[start:start + batch])
        steps["components"].append(ipca.components_.copy())
        steps["singular_values"].append(ipca.singular_values_.copy())
        steps["explained_variance"].append(ipca.explained_variance_.copy())
        steps["explained_variance_ratio"].append(ipca.explained_variance_ratio_.copy())
        steps["mean"].append(ipca.mean_.copy())
        steps["var"].append(ipca.var_.copy())
        steps["noise_variance"].append(float(ipca.noise_variance_))
        steps["samples_seen"].append(float(ipca.n_samples_seen_))
    return {k: np.asarray(v, dtype=np.float64) for k, v in steps.items()}


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64"}[arr.dtype]
        raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def main():
    x = make_stream(20241007)
    x64 = x.astype(np.float64)
    tensors = {"x": x}
    for batch in (50, 100):
        for name, value in ipca_steps(x64, batch).items():
            tensors[f"b{batch}_{name}"] = value
    pca = PCA(n_components=K, svd_solver="full").fit(x64)
    tensors["pca_components"] = pca.components_.astype(np.float64)
    tensors["pca_explained_variance_ratio"] = pca.explained_variance_ratio_.astype(np.float64)
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "ipca-d64.safetensors")
    write_safetensors(path, tensors, {"n": str(N), "d": str(D), "k": str(K),
                                      "sklearn": __import__("sklearn").__version__})
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
