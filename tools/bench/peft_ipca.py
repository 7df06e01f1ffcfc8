#!/usr/bin/python3
"""PEFT's IncrementalPCA (lowrank=True, the solver PEFT's EVA uses) as a line-driven worker, one thread.

Usage: /usr/bin/python3 tools/bench/peft_ipca.py X.safetensors K BATCH
Then, on stdin, one command per line; each answer is one JSON line on stdout:
  reset          a fresh IncrementalPCA(n_components=K, lowrank=True, lowrank_seed=42)
  fit I          partial_fit on rows [I*BATCH, (I+1)*BATCH) -> {"ms": wall milliseconds of partial_fit}
  save PATH      writes components / explained_variance_ratio / singular_values (F64 safetensors)
  quit

The class is the port in tools/eva/peft_eva_reference.py of peft/utils/incremental_pca.py, used as
PEFT's SVDHook uses it: q = 2K, niter = 4, torch.svd_lowrank under torch.manual_seed(42), float32
input. tools/bench/ipca-vs-peft.mjs drives it batch by batch, interleaved with peftjs.
"""
import importlib.util
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    torch.set_num_threads(1)
    path, k, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    peft = load(os.path.join(HERE, "..", "eva", "peft_eva_reference.py"), "peft_eva_reference")
    sk = load(os.path.join(HERE, "..", "..", "packages", "streaming-svd", "bin", "sklearn-ipca.py"), "sklearn_ipca")
    x = sk.read_matrix(path)
    ipca = None
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(), "rows": x.shape[0], "d": x.shape[1]}), flush=True)
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd == "reset":
            ipca = peft.IncrementalPCA(n_components=k, copy=True, lowrank=True, lowrank_seed=42)
            answer = {"ok": True}
        elif cmd == "fit":
            i = int(arg)
            chunk = torch.from_numpy(np.array(x[i * batch:(i + 1) * batch]))
            t0 = time.perf_counter()
            ipca.partial_fit(chunk)
            answer = {"ms": (time.perf_counter() - t0) * 1000}
        elif cmd == "save":
            sk.write_f64(arg, {"components": ipca.components_.double().numpy(), "explained_variance_ratio": ipca.explained_variance_ratio_.double().numpy(),
                               "singular_values": ipca.singular_values_.double().numpy()})
            answer = {"ok": True}
        else:
            break
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
