import { DeepRegLoaderError, createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { contiguousData } from "./contiguous.js";

/** Interpolation table of one axis: output `o` reads input rows `lo[o]`, `hi[o]` with weight `w[o]`. */
interface AxisTable {
  lo: Int32Array;
  hi: Int32Array;
  w: Float64Array;
}

/**
 * `x = (o + 0.5) * n / m - 0.5`, `lo = clamp(floor(x))`, `hi = clamp(ceil(x))`,
 * `w = x - floor(x)` (from the unclamped floor), for every output index `o` (docs/conventions.md).
 */
function axisTable(n: number, m: number): AxisTable {
  const lo = new Int32Array(m);
  const hi = new Int32Array(m);
  const w = new Float64Array(m);
  for (let o = 0; o < m; o++) {
    const x = ((o + 0.5) * n) / m - 0.5;
    const f = Math.floor(x);
    lo[o] = Math.min(Math.max(f, 0), n - 1);
    hi[o] = Math.min(Math.max(Math.ceil(x), 0), n - 1);
    w[o] = x - f;
  }
  return { lo, hi, w };
}

/**
 * Resize along one axis of an array viewed as `[outer, n, inner]` to `[outer, m, inner]`:
 * one pass over contiguous rows of `inner` values.
 */
function resizeAxis(
  src: Float32Array,
  outer: number,
  n: number,
  inner: number,
  m: number,
  out?: Float32Array,
): Float32Array {
  const { lo, hi, w } = axisTable(n, m);
  const dst = out ?? new Float32Array(outer * m * inner);
  if (inner === 1) {
    for (let p = 0, s = 0, d = 0; p < outer; p++, s += n) {
      for (let o = 0; o < m; o++, d++) {
        const a = src[s + (lo[o] as number)] as number;
        const b = src[s + (hi[o] as number)] as number;
        dst[d] = a + (b - a) * (w[o] as number);
      }
    }
    return dst;
  }
  const srcBlock = n * inner;
  for (let p = 0, s = 0, d = 0; p < outer; p++, s += srcBlock) {
    for (let o = 0; o < m; o++) {
      const a0 = s + (lo[o] as number) * inner;
      const b0 = s + (hi[o] as number) * inner;
      const t = w[o] as number;
      for (let j = 0; j < inner; j++, d++) {
        const a = src[a0 + j] as number;
        dst[d] = a + ((src[b0 + j] as number) - a) * t;
      }
    }
  }
  return dst;
}

/** Options of {@link resize}. */
export interface ResizeOptions {
  /** Where to write the result: a `Float32Array` of exactly the output's length (it may be the input's own array). */
  out?: Float32Array;
}

/**
 * Resize a 3D volume `[d1, d2, d3]` or a channel-last 4D label `[d1, d2, d3, C]` to the
 * spatial `shape` (the channel axis is carried through), with TensorFlow 2
 * `tf.image.resize(method="bilinear")` semantics per axis: half-pixel centres, no antialiasing,
 * edges clamped (formula in docs/conventions.md). Returns a new volume (over `options.out` when
 * given: the last pass writes there, so no output array is allocated); an unchanged shape gives
 * a copy.
 *
 * Separable: one pass per axis whose length changes (axes of equal length are skipped),
 * shrinking axes first and growing axes last so the intermediates stay small. Each value is
 * computed in float64 from float32 inputs and stored as float32 after every pass.
 *
 * Throws `SHAPE` when the volume is not 3D/4D or has an axis of length 0 to be resized,
 * `INVALID_ARGUMENT` when `shape` is not three positive integers or `out` has the wrong length.
 *
 * @example
 * ```ts
 * import { createVolume } from "@deepreg-loader/core";
 * import { resize } from "@deepreg-loader/volume-ops";
 *
 * const volume = createVolume(Float32Array.of(0, 1, 2, 3), [1, 2, 2]);
 * const big = resize(volume, [1, 2, 4]);
 * console.log(big.shape, Array.from(big.data));
 * // [ 1, 2, 4 ] [ 0, 0.25, 0.75, 1, 2, 2.25, 2.75, 3 ]
 * ```
 */
export function resize(volume: Volume, shape: readonly [number, number, number], options: ResizeOptions = {}): Volume {
  const inShape = volume.shape;
  if (inShape.length !== 3 && inShape.length !== 4) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `resize: expected a 3D volume or a 4D channel-last label, found shape [${inShape.join(", ")}]`,
    );
  }
  if (shape.length !== 3 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `resize: expected a target shape of three positive integers, found [${shape.join(", ")}]`,
    );
  }
  const data = contiguousData(volume, "resize");
  const channels = inShape.length === 4 ? (inShape[3] as number) : 1;
  const current = inShape.slice(0, 3);
  const outShape = inShape.length === 4 ? [...shape, channels] : [...shape];
  const axes = [0, 1, 2].filter((k) => current[k] !== shape[k]);
  const { out } = options;
  const size = shape[0] * shape[1] * shape[2] * channels;
  if (out !== undefined && out.length !== size) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `resize: options.out has ${out.length} elements, expected ${size} for shape [${outShape.join(", ")}]`,
    );
  }
  if (axes.length === 0) {
    if (out === undefined) return createVolume(data.slice(0, volume.size), outShape);
    out.set(data.subarray(0, size));
    return createVolume(out, outShape);
  }
  const empty = axes.find((k) => current[k] === 0);
  if (empty !== undefined) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `resize: cannot resize axis ${empty} of length 0 (shape [${inShape.join(", ")}]) to ${shape[empty]}`,
    );
  }
  // Smallest ratio first: shrink before growing (stable for equal ratios).
  axes.sort((a, b) => (shape[a] as number) / (current[a] as number) - (shape[b] as number) / (current[b] as number));

  // The last pass writes `out`, unless it shares memory with the input (then a copy goes there).
  const last = axes[axes.length - 1];
  const target = out !== undefined && out.buffer !== data.buffer ? out : undefined;
  let values = data;
  for (const k of axes) {
    const n = current[k] as number;
    const m = shape[k] as number;
    let outer = 1;
    for (let j = 0; j < k; j++) outer *= current[j] as number;
    let inner = channels;
    for (let j = k + 1; j < 3; j++) inner *= current[j] as number;
    values = resizeAxis(values, outer, n, inner, m, k === last ? target : undefined);
    current[k] = m;
  }
  if (out !== undefined && values !== out) out.set(values);
  return createVolume(out ?? values, outShape);
}
