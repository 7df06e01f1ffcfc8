"""Reference values of Python's round() (half to even on the exact double) for roundHalfEven tests.

Also the PEFT-style component counts round(r * rho) for a grid of (r, rho).
Run: /usr/bin/python3 tools/rank-allocator/round_half_even_fixture.py
"""
import json
import pathlib
import random

rng = random.Random(1234)
xs = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, -0.5, -1.5, -2.5, 0.49999999999999994, 2.675 * 100, 1e15 + 0.5,
      2**52 + 1.0, 0.0, 7.0, -7.0, 12.499999999999998, 12.500000000000002]
xs += [rng.randint(-40, 40) / 2 for _ in range(40)]        # many exact halves
xs += [rng.uniform(-1000, 1000) for _ in range(40)]        # generic values
cases = [{"x": x, "round": round(x)} for x in xs]

grid = []
for r in [1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 64]:
    for rho in [1.0, 1.25, 1.5, 1.7, 2.0, 2.5, 3.3, 4.5]:
        grid.append({"r": r, "rho": rho, "round": round(r * rho)})

out = pathlib.Path(__file__).resolve().parents[2] / "packages/rank-allocator/test/fixtures/round-half-even.json"
out.write_text(json.dumps({"cases": cases, "rProducts": grid}, indent=None, separators=(",", ":")) + "\n")
print(f"wrote {out} ({len(cases)} cases, {len(grid)} r*rho products)")
