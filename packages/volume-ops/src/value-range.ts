import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { contiguousData } from "./contiguous.js";

/** Smallest and largest value of a volume. */
export interface ValueRange {
  /** The smallest value (NaN when the volume holds a NaN). */
  min: number;
  /** The largest value (NaN when the volume holds a NaN). */
  max: number;
}

/**
 * Minimum and maximum of every value of `volume`, in one pass. Like numpy's `min`/`max`, a NaN
 * anywhere makes both NaN; infinities are returned as they are.
 * Throws `SHAPE` when the volume has no values.
 */
export function valueRange(volume: Volume): ValueRange {
  const data = contiguousData(volume, "valueRange");
  const n = volume.size;
  if (n === 0) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `valueRange: the volume of shape [${volume.shape.join(", ")}] has no values`,
    );
  }
  return rangeOf(data, n);
}

/**
 * Minimum and maximum of raw values (any numeric typed array, e.g. a file's int16 voxels before
 * they are converted), as float32 values: the range `valueRange` gives for the float32 volume
 * of the same values (converting to float32 is monotonic, so the extremes are the same voxels).
 * A NaN makes both NaN. Throws `SHAPE` when there are no values.
 */
export function valueRangeOf(values: ArrayLike<number>): ValueRange {
  if (values.length === 0) throw new DeepRegLoaderError("SHAPE", "valueRangeOf: no values");
  if (values instanceof Float32Array) return rangeOf(values, values.length);
  const r =
    values instanceof Int16Array
      ? rangeOfInt16(values)
      : values instanceof Uint8Array
        ? rangeOfUint8(values)
        : values instanceof Float64Array
          ? rangeOfFloat64(values, values.length)
          : rangeOfAny(values);
  return { min: Math.fround(r.min), max: Math.fround(r.max) };
}

/** Two independent lanes (even and odd indices) without branches: about 2x the one-lane loop. */
function rangeOfInt16(data: Int16Array): ValueRange {
  let min0 = data[0] as number;
  let max0 = min0;
  let min1 = min0;
  let max1 = min0;
  const n = data.length;
  const even = n & ~1;
  for (let i = 0; i < even; i += 2) {
    const a = data[i] as number;
    const b = data[i + 1] as number;
    min0 = a < min0 ? a : min0;
    max0 = a > max0 ? a : max0;
    min1 = b < min1 ? b : min1;
    max1 = b > max1 ? b : max1;
  }
  if (even < n) {
    const a = data[even] as number;
    min0 = a < min0 ? a : min0;
    max0 = a > max0 ? a : max0;
  }
  return { min: min0 < min1 ? min0 : min1, max: max0 > max1 ? max0 : max1 };
}

/**
 * A label's values are 0 and 1: the OR and the AND of all its bytes, four at a time, are then its
 * maximum and minimum (about 4x the byte loop). Any other value makes the OR exceed 1, and the
 * byte loop gives the range.
 */
function rangeOfUint8(data: Uint8Array): ValueRange {
  const n = data.length;
  let or = 0;
  let and = 255;
  let i = 0;
  for (; i < n && (data.byteOffset + i) % 4 !== 0; i++) {
    or |= data[i] as number;
    and &= data[i] as number;
  }
  const words = (n - i) >> 2;
  if (words > 0) {
    const view = new Int32Array(data.buffer, data.byteOffset + i, words);
    let o = 0;
    let a = -1;
    for (let k = 0; k < words; k++) {
      const w = view[k] as number;
      o |= w;
      a &= w;
    }
    or |= (o | (o >>> 8) | (o >>> 16) | (o >>> 24)) & 255;
    and &= a & (a >>> 8) & (a >>> 16) & (a >>> 24) & 255;
    i += words << 2;
  }
  for (; i < n; i++) {
    or |= data[i] as number;
    and &= data[i] as number;
  }
  return or <= 1 ? { min: and, max: or } : rangeOfBytes(data);
}

function rangeOfBytes(data: Uint8Array): ValueRange {
  let min = data[0] as number;
  let max = min;
  for (let i = 1; i < data.length; i++) {
    const v = data[i] as number;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  return { min, max };
}

function rangeOfAny(data: ArrayLike<number>): ValueRange {
  let min = data[0] as number;
  let max = min;
  let nan = min !== min;
  for (let i = 1; i < data.length; i++) {
    const v = data[i] as number;
    if (v < min) min = v;
    else if (v > max) max = v;
    else if (v !== v) nan = true;
  }
  return nan ? { min: Number.NaN, max: Number.NaN } : { min, max };
}

/**
 * Four independent min/max pairs (four interleaved lanes), merged at the end: the compares of
 * one lane do not wait on the others, about 30% faster than one pair on 192x192x160.
 */
function rangeOf(data: Float32Array, n: number): ValueRange {
  const first = data[0] as number;
  let nan = Number.isNaN(first);
  let min0 = first;
  let max0 = first;
  let min1 = first;
  let max1 = first;
  let min2 = first;
  let max2 = first;
  let min3 = first;
  let max3 = first;
  let i = 1;
  for (; i + 3 < n; i += 4) {
    const a = data[i] as number;
    const b = data[i + 1] as number;
    const c = data[i + 2] as number;
    const d = data[i + 3] as number;
    if (a < min0) min0 = a;
    else if (a > max0) max0 = a;
    else if (a !== a) nan = true;
    if (b < min1) min1 = b;
    else if (b > max1) max1 = b;
    else if (b !== b) nan = true;
    if (c < min2) min2 = c;
    else if (c > max2) max2 = c;
    else if (c !== c) nan = true;
    if (d < min3) min3 = d;
    else if (d > max3) max3 = d;
    else if (d !== d) nan = true;
  }
  for (; i < n; i++) {
    const v = data[i] as number;
    if (v < min0) min0 = v;
    else if (v > max0) max0 = v;
    else if (v !== v) nan = true;
  }
  if (nan) return { min: Number.NaN, max: Number.NaN };
  return { min: Math.min(min0, min1, min2, min3), max: Math.max(max0, max1, max2, max3) };
}

/** {@link rangeOf} for float64 voxels (DeepReg's labels are often float64 files): a copy, so V8 keeps each loop monomorphic. */
function rangeOfFloat64(data: Float64Array, n: number): ValueRange {
  const first = data[0] as number;
  let nan = Number.isNaN(first);
  let min0 = first;
  let max0 = first;
  let min1 = first;
  let max1 = first;
  let min2 = first;
  let max2 = first;
  let min3 = first;
  let max3 = first;
  let i = 1;
  for (; i + 3 < n; i += 4) {
    const a = data[i] as number;
    const b = data[i + 1] as number;
    const c = data[i + 2] as number;
    const d = data[i + 3] as number;
    if (a < min0) min0 = a;
    else if (a > max0) max0 = a;
    else if (a !== a) nan = true;
    if (b < min1) min1 = b;
    else if (b > max1) max1 = b;
    else if (b !== b) nan = true;
    if (c < min2) min2 = c;
    else if (c > max2) max2 = c;
    else if (c !== c) nan = true;
    if (d < min3) min3 = d;
    else if (d > max3) max3 = d;
    else if (d !== d) nan = true;
  }
  for (; i < n; i++) {
    const v = data[i] as number;
    if (v < min0) min0 = v;
    else if (v > max0) max0 = v;
    else if (v !== v) nan = true;
  }
  if (nan) return { min: Number.NaN, max: Number.NaN };
  return { min: Math.min(min0, min1, min2, min3), max: Math.max(max0, max1, max2, max3) };
}
