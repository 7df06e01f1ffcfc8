#!/usr/bin/python3
"""Writes the benchmark input of peftjs-svd-bench: a float32 matrix "x" [rows, d] in safetensors,
with a per-column mean offset (~100) and a decaying spectrum (10 * 0.9^j + 0.1).

Usage: /usr/bin/python3 tools/streaming-svd/make_bench_input.py OUT.safetensors [--rows 16384] [--d 768]
"""
import argparse
import json
import struct

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--rows", type=int, default=16384)
parser.add_argument("--d", type=int, default=768)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

rng = np.random.default_rng(args.seed)
d = args.d
spectrum = 10.0 * 0.9 ** np.arange(d) + 0.1
basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
offset = 100.0 + 10.0 * rng.standard_normal(d)
x = np.empty((args.rows, d), dtype=np.float32)
for start in range(0, args.rows, 4096):
    z = rng.standard_normal((min(4096, args.rows - start), d))
    x[start:start + len(z)] = offset + (z * spectrum) @ basis.T

raw = x.astype("<f4").tobytes()
header = json.dumps({"__metadata__": {"generator": "tools/streaming-svd/make_bench_input.py"},
                     "x": {"dtype": "F32", "shape": list(x.shape), "data_offsets": [0, len(raw)]}},
                    separators=(",", ":")).encode()
header += b" " * ((8 - len(header) % 8) % 8)
with open(args.out, "wb") as f:
    f.write(struct.pack("<Q", len(header)))
    f.write(header)
    f.write(raw)
print(json.dumps({"out": args.out, "rows": args.rows, "d": d}))
