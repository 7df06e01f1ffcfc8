/**
 * Rounds to the nearest integer, halves to the even neighbour, like Python's `round(x)`:
 * `roundHalfEven(2.5) = 2`, `roundHalfEven(4.5) = 4`, `roundHalfEven(5.5) = 6`. PEFT computes each
 * layer's component count as `round(r * rho)`, so this keeps our ranks identical to it.
 * Operates on the exact double value (as Python does): `roundHalfEven(2.675 * 100)` rounds the
 * product actually computed. Throws a RangeError for NaN or an infinity.
 */
export function roundHalfEven(x: number): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new RangeError(`roundHalfEven needs a finite number, got ${String(x)}`);
  }
  const floor = Math.floor(x);
  // Exact for every double: |x| < 2^52 leaves room for the fraction, larger values are integers.
  const fraction = x - floor;
  let rounded: number;
  if (fraction < 0.5) rounded = floor;
  else if (fraction > 0.5) rounded = floor + 1;
  else rounded = floor % 2 === 0 ? floor : floor + 1;
  return rounded + 0; // turn -0 into 0
}
