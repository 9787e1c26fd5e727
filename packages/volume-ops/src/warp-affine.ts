import { DeepRegLoaderError, createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { gridOf, outputOf, sampleChannels, sampleScalar } from "./zero-boundary.js";
import type { Grid, WarpOptions } from "./zero-boundary.js";
import { affineRowKernel } from "./warp-affine-wasm.js";

const fround = Math.fround;

/**
 * `theta` as 12 float32 numbers (DeepReg casts its float64 solve to float32); throws
 * `INVALID_ARGUMENT` unless it holds 12 finite numbers.
 */
function thetaOf(theta: ArrayLike<number>): number[] {
  const values = Array.from({ length: theta.length }, (_, i) => theta[i]);
  if (values.length !== 12 || values.some((t) => typeof t !== "number" || !Number.isFinite(t))) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `warpAffine: expected theta as 12 finite numbers (a 4 x 3 matrix, row-major), found ${values.length} value${values.length === 1 ? "" : "s"}${values.length === 12 ? " with a non-finite one" : ""}`,
    );
  }
  return values.map((t) => fround(t as number));
}

/**
 * DeepReg's affine warp: `resample(volume, loc)` with `loc[i, j, k] = (i, j, k, 1) @ theta`,
 * where `theta` is DeepReg's 4 x 3 matrix as 12 numbers, row-major
 * (`theta[r * 3 + c]`), e.g. from `affineFromNoise` of `@deepreg-loader/augment`. Same shape
 * out as in (`[d1, d2, d3]` or channel-last `[d1, d2, d3, C]`).
 *
 * No locations array is built: each location is computed where it is used. `theta` is rounded
 * to float32 first (as DeepReg's `tf.cast`); each coordinate is then
 * `(i * t0c + j * t1c + t3c) + k * t2c` in float64, rounded once to float32, and sampled
 * exactly as `resample` does (zero boundary). The identity `theta`
 * `[1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]` returns the volume with every voxel that has an index
 * 0 on any axis set to 0.
 *
 * Each row's run of locations whose 8 corners all lie inside is computed without the boundary
 * test, by a WebAssembly SIMD kernel where the runtime has one (a 3D volume; the same values bit
 * for bit, about 1.7x faster than the JavaScript loop it falls back to; docs/decisions.md).
 * The kernel's memory (4 bytes per voxel of the largest volume warped and a plane, per thread)
 * is kept for the next warp. `options.out`: write into this
 * array (every element is written) instead of a new one, e.g. a buffer re-used across calls to
 * spare the page faults of fresh memory.
 *
 * Throws `SHAPE` when the volume is not 3D/4D, `INVALID_ARGUMENT` when it is not contiguous,
 * `theta` is not 12 finite numbers, or `out` has the wrong length or shares the volume's buffer.
 *
 * @example
 * ```ts
 * import { createVolume } from "@deepreg-loader/core";
 * import { warpAffine } from "@deepreg-loader/volume-ops";
 *
 * const volume = createVolume(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), [2, 2, 2]);
 * // The identity zeroes the faces at index 0 ("zero boundary").
 * console.log(Array.from(warpAffine(volume, [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]).data));
 * // [ 0, 0, 0, 0, 0, 0, 0, 8 ]
 * // Half a voxel along the first axis: (0, 1, 1) samples between 4 and 8; (1, 1, 1) falls outside.
 * console.log(Array.from(warpAffine(volume, [1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0, 0]).data));
 * // [ 0, 0, 0, 6, 0, 0, 0, 0 ]
 * ```
 */
export function warpAffine(volume: Volume, theta: ArrayLike<number>, options: WarpOptions = {}): Volume {
  const t = thetaOf(theta);
  const grid = gridOf(volume, "warpAffine");
  const out = outputOf(grid, options, "warpAffine");
  warpAffineInto(grid, t, out);
  return createVolume(out, grid.shape);
}

/**
 * Writes `warpAffine(grid, t)` to `out` (`t`: theta rounded to float32): with the WebAssembly
 * kernel for a 3D volume when `kernel` is `"auto"` and it is available, else with the JavaScript
 * loop (`"js"`: always; tests compare the two).
 */
export function warpAffineInto(grid: Grid, t: readonly number[], out: Float32Array, kernel: "auto" | "js" = "auto"): void {
  if (kernel === "auto" && grid.channels === 1 && warpAffineWasm(grid, t, out)) return;
  warpAffineJs(grid, t, out);
}

/** `warpAffineInto` by the WebAssembly kernel, row by row; false (nothing written) when it is unavailable. */
function warpAffineWasm(grid: Grid, t: readonly number[], out: Float32Array): boolean {
  const { data, d1, d2, d3 } = grid;
  const plane = d2 * d3;
  const kernel = affineRowKernel(data, plane);
  if (kernel === null) return false;
  const { row, src, dst } = kernel;
  const [t00, t01, t02, t10, t11, t12, t20, t21, t22, t30, t31, t32] = t as [
    number, number, number, number, number, number, number, number, number, number, number, number,
  ];
  const h1 = d1 - 1;
  const h2 = d2 - 1;
  const h3 = d3 - 1;
  for (let i = 0; i < d1; i++) {
    for (let j = 0; j < d2; j++) {
      const bx = i * t00 + j * t10 + t30;
      const by = i * t01 + j * t11 + t31;
      const bz = i * t02 + j * t12 + t32;
      insideRun(bx, by, bz, t20, t21, t22, h1, h2, h3, d3);
      row(bx, by, bz, t20, t21, t22, h1, h2, h3, runLo, runHi, d3, src, dst + j * d3 * 4, d3, plane);
    }
    kernel.flush(out, i * plane);
  }
  return true;
}

/**
 * The k-interval `[lo, hi)` of a row where every location lies inside the volume
 * (`inside` below, on all three axes), or an empty one. Set by `insideRun`.
 */
let runLo = 0;
let runHi = 0;

/** Whether `fround(b + k * t)` lies in `(0, h]` (the zero-boundary rule of one axis). */
function inside(b: number, t: number, h: number, k: number): boolean {
  const v = fround(b + k * t);
  return v > 0 && v <= h;
}

/**
 * Sets `[runLo, runHi)` to a k-interval of the row `(bx, by, bz) + k * (tx, ty, tz)`,
 * `0 <= k < n`, where every location is inside the volume (possibly not the largest one; empty
 * when none is found). Each coordinate `fround(b + k * t)` is monotone in `k`, so the set of
 * inside `k` is an interval on each axis and so on all three: an estimate from real arithmetic,
 * narrowed by a margin, is exact once both its ends pass the exact test.
 */
function insideRun(
  bx: number, by: number, bz: number, tx: number, ty: number, tz: number,
  h1: number, h2: number, h3: number, n: number,
): void {
  let lo = 0;
  let hi = n;
  for (let axis = 0; axis < 3 && lo < hi; axis++) {
    const b = axis === 0 ? bx : axis === 1 ? by : bz;
    const t = axis === 0 ? tx : axis === 1 ? ty : tz;
    const h = axis === 0 ? h1 : axis === 1 ? h2 : h3;
    if (t === 0) {
      if (!inside(b, 0, h, 0)) hi = lo;
      continue;
    }
    // Real-valued bounds of 0 < b + k t <= h, one step of margin each side.
    const a = -b / t;
    const c = (h - b) / t;
    const first = Math.floor(Math.min(a, c)) + 2;
    const last = Math.ceil(Math.max(a, c)) - 2;
    if (first > lo) lo = first;
    if (last + 1 < hi) hi = last + 1;
  }
  if (lo < hi) {
    const e = hi - 1;
    if (
      !(inside(bx, tx, h1, lo) && inside(by, ty, h2, lo) && inside(bz, tz, h3, lo) &&
        inside(bx, tx, h1, e) && inside(by, ty, h2, e) && inside(bz, tz, h3, e))
    ) {
      hi = lo;
    }
  }
  if (!(lo < hi)) lo = hi = 0;
  runLo = lo;
  runHi = hi;
}

/**
 * `warpAffine`'s JavaScript loop, writing every voxel of `out` (`t`: theta already rounded to float32).
 * Per row `(i, j)` the locations are affine in `k`: the k-interval where all 8 corners lie
 * inside the volume (`insideRun`) runs without the boundary test, the ends take the shared
 * kernel's path. The values are the same as `sampleScalar`/`sampleChannels` at every location
 * (tests compare them over random thetas, inside, partly and fully outside).
 */
function warpAffineJs(grid: Grid, t: readonly number[], out: Float32Array): void {
  const { data, d1, d2, d3, channels } = grid;
  const [t00, t01, t02, t10, t11, t12, t20, t21, t22, t30, t31, t32] = t as [
    number, number, number, number, number, number, number, number, number, number, number, number,
  ];
  const h1 = d1 - 1;
  const h2 = d2 - 1;
  const h3 = d3 - 1;
  const plane = d2 * d3;
  const row = d3 * channels;
  for (let i = 0; i < d1; i++) {
    for (let j = 0; j < d2; j++) {
      const bx = i * t00 + j * t10 + t30;
      const by = i * t01 + j * t11 + t31;
      const bz = i * t02 + j * t12 + t32;
      const o = (i * d2 + j) * row;
      insideRun(bx, by, bz, t20, t21, t22, h1, h2, h3, d3);
      const lo = runLo;
      const hi = runHi;
      if (channels === 1) {
        for (let k = 0; k < lo; k++) out[o + k] = sampleScalar(data, d1, d2, d3, fround(bx + k * t20), fround(by + k * t21), fround(bz + k * t22));
        // `sampleScalar` without its test, written out: V8 does not inline it here, and the call
        // halves the speed.
        // `k * t` is exact (a float32 times a small integer), so adding `t` step by step gives
        // the same float64 term as the multiplication.
        let kx = lo * t20;
        let ky = lo * t21;
        let kz = lo * t22;
        for (let k = lo; k < hi; k++, kx += t20, ky += t21, kz += t22) {
          const x = fround(bx + kx);
          const y = fround(by + ky);
          const z = fround(bz + kz);
          // Ceilings kept as doubles (exact integers) and the corner index truncated once, with
          // `| 0` sums, so V8 compiles no overflow or minus-zero checks.
          const cx = Math.ceil(x);
          const cy = Math.ceil(y);
          const cz = Math.ceil(z);
          const fx = fround(cx - x);
          const gx = fround(x - (cx - 1));
          const fy = fround(cy - y);
          const gy = fround(y - (cy - 1));
          const fz = fround(cz - z);
          const gz = fround(z - (cz - 1));
          const b = ((cx - 1) * plane + (cy - 1) * d3 + (cz - 1)) | 0;
          const b1 = (b + 1) | 0;
          const b2 = (b + d3) | 0;
          const b3 = (b2 + 1) | 0;
          const c = (b + plane) | 0;
          const c1 = (c + 1) | 0;
          const c2 = (c + d3) | 0;
          const c3 = (c2 + 1) | 0;
          const v00 = (data[b] as number) * fx + (data[c] as number) * gx;
          const v01 = (data[b1] as number) * fx + (data[c1] as number) * gx;
          const v10 = (data[b2] as number) * fx + (data[c2] as number) * gx;
          const v11 = (data[b3] as number) * fx + (data[c3] as number) * gx;
          out[(o + k) | 0] = (v00 * fy + v10 * gy) * fz + (v01 * fy + v11 * gy) * gz;
        }
        for (let k = hi; k < d3; k++) out[o + k] = sampleScalar(data, d1, d2, d3, fround(bx + k * t20), fround(by + k * t21), fround(bz + k * t22));
      } else {
        for (let k = 0; k < d3; k++) {
          sampleChannels(data, d1, d2, d3, channels, fround(bx + k * t20), fround(by + k * t21), fround(bz + k * t22), out, o + k * channels);
        }
      }
    }
  }
}
