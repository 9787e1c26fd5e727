// The one conversion of a 64-bit integer to the nearest float32 (round half to even), for the
// readers' int64/uint64 data (NIfTI and H5). A plain `Math.fround(Number(x))` rounds twice
// (to float64, then float32) and can miss the nearest float32 above 2^53.

const SAFE = 2n ** 53n;

/**
 * The float32 nearest to `x` (ties to even; beyond float32's range, +-Infinity). Exact for
 * |x| < 2^53 through one rounding; above it the bits below float64's 53 are folded into a
 * sticky bit (round to odd) so the final float32 rounding is correct.
 */
export function bigintToFloat32(x: bigint): number {
  if (x < SAFE && x > -SAFE) return Math.fround(Number(x));
  const negative = x < 0n;
  const magnitude = negative ? -x : x;
  const shift = BigInt(magnitude.toString(2).length - 53);
  let top = magnitude >> shift;
  if (top << shift !== magnitude) top |= 1n; // sticky bit: round to odd
  const value = Math.fround(Number(top) * 2 ** Number(shift));
  return negative ? -value : value;
}
