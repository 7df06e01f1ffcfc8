#!/usr/bin/python3
"""Reference for scikit-learn >= 1.6 IncrementalPCA.partial_fit on batches smaller than n_components.

Since scikit-learn 1.6 (PR #30224), `partial_fit` checks `n_components <= n_samples` only on the
first call; later batches may have fewer rows than `n_components` (Ross et al. 2008 need no such
bound: the stacked matrix [diag(S) V; X - mean(X); correction] has k + n + 1 >= k rows).

Debian ships scikit-learn 1.2.1, which still raises on every call. Its partial_fit skips the row
check when `n_components is None` and a fit exists (n_components_ = components_.shape[0]), and runs
the same update, so this script sets `n_components = None` after the first fit to obtain 1.6's
numbers from 1.2.1's code. It then checks them against a from-scratch NumPy implementation of the
1.6 update (`hand_partial_fit`), and writes
packages/streaming-svd/test/fixtures/ipca-small-batches.safetensors.

Run: /usr/bin/python3 tools/streaming-svd/make_small_batch_fixture.py
"""
import json
import os
import struct

import numpy as np
import sklearn
from sklearn.decomposition import IncrementalPCA

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "packages", "streaming-svd", "test", "fixtures", "ipca-small-batches.safetensors")

D, K = 16, 6
BATCHES = [20, 3, 1, 5, 2, 9]  # after the first, all but the last have fewer rows than K


def make_stream(seed):
    rng = np.random.default_rng(seed)
    spectrum = 6.0 * 0.6 ** np.arange(D) + 0.1
    basis, _ = np.linalg.qr(rng.standard_normal((D, D)))
    z = rng.standard_normal((sum(BATCHES), D))
    return (5.0 + rng.standard_normal(D) + (z * spectrum) @ basis.T).astype(np.float32)


def hand_partial_fit(state, x):
    """sklearn 1.6 partial_fit written out (float64): running mean/var, stacked SVD, svd_flip on V."""
    n = x.shape[0]
    if state is None:
        mean, var, seen = x.mean(0), x.var(0), n
        m = x - mean
    else:
        seen = state["seen"] + n
        batch_mean = x.mean(0)
        mean = state["mean"] + (batch_mean - state["mean"]) * n / seen
        # Chan et al.: combined sum of squared deviations
        m2 = state["var"] * state["seen"] + x.var(0) * n + (batch_mean - state["mean"]) ** 2 * state["seen"] * n / seen
        var = m2 / seen
        corr = np.sqrt(state["seen"] * n / seen) * (state["mean"] - batch_mean)
        m = np.vstack([state["s"][:, None] * state["v"], x - batch_mean, corr])
    _, s, vt = np.linalg.svd(m, full_matrices=False)
    signs = np.sign(vt[np.arange(vt.shape[0]), np.argmax(np.abs(vt), axis=1)])
    vt = vt * signs[:, None]
    return {"seen": seen, "mean": mean, "var": var, "s": s[:K], "v": vt[:K],
            "ratio": (s ** 2 / np.sum(var * seen))[:K]}


def main():
    x = make_stream(20261130)
    x64 = x.astype(np.float64)
    ipca = IncrementalPCA(n_components=K)
    hand = None
    steps = {k: [] for k in ["components", "singular_values", "explained_variance_ratio", "mean", "var", "samples_seen"]}
    start = 0
    for rows in BATCHES:
        chunk = x64[start:start + rows]
        start += rows
        if hasattr(ipca, "components_"):
            ipca.n_components = None  # 1.2.1: skip the row check, as 1.6 does after the first fit
        ipca.partial_fit(chunk)
        ipca.n_components = K
        hand = hand_partial_fit(hand, chunk)
        assert np.allclose(ipca.components_, hand["v"], atol=1e-10), "sklearn and the hand update disagree"
        assert np.allclose(ipca.singular_values_, hand["s"], rtol=1e-12)
        assert np.allclose(ipca.explained_variance_ratio_, hand["ratio"], rtol=1e-12)
        assert np.allclose(ipca.var_, hand["var"], rtol=1e-12)
        steps["components"].append(ipca.components_.copy())
        steps["singular_values"].append(ipca.singular_values_.copy())
        steps["explained_variance_ratio"].append(ipca.explained_variance_ratio_.copy())
        steps["mean"].append(ipca.mean_.copy())
        steps["var"].append(ipca.var_.copy())
        steps["samples_seen"].append(float(ipca.n_samples_seen_))
    tensors = {"x": x}
    tensors.update({k: np.asarray(v, dtype=np.float64) for k, v in steps.items()})
    metadata = {"d": str(D), "k": str(K), "batches": json.dumps(BATCHES), "sklearn": sklearn.__version__,
                "semantics": "scikit-learn >= 1.6 partial_fit (row check on the first call only)"}
    write_safetensors(OUT, tensors, metadata)
    print(f"wrote {OUT} with scikit-learn {sklearn.__version__}")


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
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
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


if __name__ == "__main__":
    main()
