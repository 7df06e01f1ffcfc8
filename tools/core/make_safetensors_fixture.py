#!/usr/bin/env python3
"""Writes packages/core/test/fixtures/python-layout.safetensors and python-layout.expected.json.

The file is built BY HAND (numpy + json, no `safetensors` package) following the layout of the
reference writer, safetensors/src/tensor.rs `prepare()` + `serialize()`:
  * 8-byte little-endian u64 N, then N bytes of UTF-8 JSON, then the data section;
  * tensors ordered by DESCENDING dtype alignment rank (the Rust `Dtype` enum order
    BOOL < U8 < I8 < F8_* < I16 < U16 < F16 < BF16 < I32 < U32 < F32 < F64 < I64 < U64), then by name
    (Rust String order == Unicode code point order == Python str order);
  * "__metadata__" first, then tensors in data order, each {"dtype","shape","data_offsets"} with
    compact separators, non-ASCII left unescaped (serde_json); metadata keys sorted here (Rust uses a
    HashMap, whose order is unspecified);
  * data_offsets contiguous from 0; header padded with spaces to a multiple of 8 bytes.
F16 values come from numpy's float32->float16 cast and BF16 from torch's float32->bfloat16 cast (both
round to nearest even), so they are an independent reference for the TypeScript encoder.

Run: /usr/bin/python3 tools/core/make_safetensors_fixture.py
"""
import json
import math
import os
import struct

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "core", "test", "fixtures")

RANK = {"BOOL": 0, "U8": 1, "I8": 2, "I16": 5, "F16": 7, "BF16": 8, "I32": 9, "F32": 11, "F64": 12, "I64": 13}

inf = float("inf")
nan = float("nan")

F16_SOURCE = [
    0.0, -0.0, 1.0, -2.5, 65504.0,  # exact
    65519.0, 65520.0,  # just below / at the overflow tie: 65504 and inf
    1.0 + 2.0**-10, 1.0 + 2.0**-11, 1.0 + 3 * 2.0**-11,  # exact, tie->even (1.0), tie->even (1+2^-9)
    0.1, 6.1e-05, 2.0**-14,  # rounding, subnormal near the normal boundary, smallest normal
    2.0**-24, 2.0**-25, 2.0**-25 * 1.5, 3 * 2.0**-25, 1e-8,  # smallest subnormal, tie->0, ->2^-24, tie->2^-23, ->0
    inf, -inf, nan, 1e30, -1e-30,
]
BF16_SOURCE = [
    0.0, -0.0, 1.0, -7.5, 0.1, 3.14159265,
    1.0 + 2.0**-8, 1.0 + 3 * 2.0**-8, 1.0 + 2.0**-8 + 2.0**-20,  # tie->1, tie->1+2^-6, above tie
    3.3895313892515355e38, 3.4028234663852886e38,  # largest bf16, rounds to inf
    1e-40, -1e-45,  # float32 subnormals
    inf, -inf,
    # No NaN here: torch's vectorized bf16 cast writes NaN as 0xffff, its scalar cast (c10
    # round_to_nearest_even) and ml_dtypes as 0x7fc0, so NaN bits are not a stable reference.
    # The TypeScript tests check NaN separately against c10's scalar rule.
]


def f32(values):
    return np.array(values, dtype=np.float32)


def build_tensors():
    """name -> (dtype, shape, little-endian bytes, expected decoded values, float32 source or None)."""
    t = {}
    f64 = np.array([1.5, -2.25, 1e300, 5e-324, -0.0, math.pi], dtype="<f8").reshape(2, 3)
    t["a.f64"] = ("F64", [2, 3], f64.tobytes(), f64.ravel().tolist(), None)
    f32v = f32([0.1, -0.0, inf, -inf, 3.4028234663852886e38, 1e-45]).astype("<f4")
    t["b.f32"] = ("F32", [6], f32v.tobytes(), [float(x) for x in f32v], None)
    t["z.scalar"] = ("F32", [], f32([7.25]).astype("<f4").tobytes(), [7.25], None)
    t["a.empty"] = ("F32", [0, 3], b"", [], None)
    src16 = f32(F16_SOURCE)
    with np.errstate(over="ignore"):  # 65520 and 1e30 overflow to inf on purpose
        h = src16.astype(np.float16)
    t["c.f16"] = ("F16", [len(F16_SOURCE)], h.astype("<f2").tobytes(), [float(x) for x in h], src16)
    srcb = f32(BF16_SOURCE)
    b = torch.from_numpy(srcb.copy()).to(torch.bfloat16)
    braw = b.view(torch.int16).numpy().astype("<i2").tobytes()
    t["d.bf16"] = ("BF16", [len(BF16_SOURCE)], braw, [float(x) for x in b.to(torch.float32).numpy()], srcb)
    i64 = np.array([-(2**63), 2**63 - 1, 42], dtype="<i8")
    t["e.i64"] = ("I64", [3], i64.tobytes(), [str(int(x)) for x in i64], None)
    i32 = np.array([-(2**31), 2**31 - 1, 0, -1], dtype="<i4").reshape(2, 2)
    t["f.i32"] = ("I32", [2, 2], i32.tobytes(), i32.ravel().tolist(), None)
    i16 = np.array([-32768, 32767, 7], dtype="<i2")
    t["g.i16"] = ("I16", [3], i16.tobytes(), i16.tolist(), None)
    i8 = np.array([-128, 127, 0, -1], dtype="i1")
    t["h.i8"] = ("I8", [4], i8.tobytes(), i8.tolist(), None)
    # Same dtype, names whose code point order differs from JavaScript's UTF-16 `<` order.
    t["x\uff01"] = ("I8", [1], np.array([5], dtype="i1").tobytes(), [5], None)
    t["x\U0001F600"] = ("I8", [1], np.array([6], dtype="i1").tobytes(), [6], None)
    u8 = np.array([0, 255, 1, 128], dtype="u1").reshape(2, 2)
    t["i.u8"] = ("U8", [2, 2], u8.tobytes(), u8.ravel().tolist(), None)
    t['tab\tand "quote"'] = ("U8", [1], bytes([9]), [9], None)
    bl = np.array([True, False, True], dtype=np.bool_)
    t["j.bool"] = ("BOOL", [3], bl.tobytes(), [1, 0, 1], None)
    return t


def json_number(x):
    if isinstance(x, float):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
    return x


def main():
    tensors = build_tensors()
    metadata = {"format": "pt", "note": "h\u00e9llo \"quoted\"\nline"}
    order = sorted(tensors, key=lambda name: (-RANK[tensors[name][0]], name))
    header = {"__metadata__": {k: metadata[k] for k in sorted(metadata)}}
    offset = 0
    for name in order:
        dtype, shape, raw, _, _ = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    blob = struct.pack("<Q", len(text)) + text + b"".join(tensors[n][2] for n in order)

    expected = {"metadata": metadata, "order": order, "tensors": {}}
    for name in order:
        dtype, shape, raw, values, source = tensors[name]
        entry = {"dtype": dtype, "shape": shape, "values": [json_number(v) for v in values]}
        if source is not None:
            entry["source"] = [json_number(float(v)) for v in source]
            entry["bits"] = list(struct.unpack("<%dH" % (len(raw) // 2), raw))
        expected["tensors"][name] = entry

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "python-layout.safetensors"), "wb") as f:
        f.write(blob)
    with open(os.path.join(OUT, "python-layout.expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote %d bytes, header %d bytes, %d tensors" % (len(blob), len(text), len(order)))


if __name__ == "__main__":
    main()
