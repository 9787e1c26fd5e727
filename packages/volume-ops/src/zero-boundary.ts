import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { contiguousData } from "./contiguous.js";

// The interpolation kernel shared by `resample`, `warpAffine` and `warpDdf`: DeepReg's linear
// resample with its "zero boundary" rule (spec/augmentation.md, docs/conventions.md).
const fround = Math.fround;

/**
 * The value of a 3D volume `src` (`[d1, d2, d3]`, row-major) at the float32 location
 * `(x, y, z)`, as DeepReg's `resample(..., zero_boundary=True)` computes it:
 * 0 unless `0 < x <= d1 - 1`, `0 < y <= d2 - 1` and `0 < z <= d3 - 1` (elsewhere DeepReg's
 * clipped weights are all zero); otherwise, per axis, `ceil = ceil(x)`, floor `ceil - 1`,
 * `wFloor = ceil - x` and `wCeil = x - floor` rounded to float32, and the 8 corners combined in
 * DeepReg's `pyramid_combination` order (axis 0 first, then 1, then 2) in float64. The caller
 * rounds the result to float32 by storing it in a `Float32Array` (see docs/decisions.md: one
 * rounding instead of DeepReg's float32 rounding after every product and sum, at most a few
 * float32 ulps apart, twice as fast).
 */
export function sampleScalar(
  src: Float32Array,
  d1: number,
  d2: number,
  d3: number,
  x: number,
  y: number,
  z: number,
): number {
  if (!(x > 0 && x <= d1 - 1 && y > 0 && y <= d2 - 1 && z > 0 && z <= d3 - 1)) return 0;
  const cx = Math.ceil(x) | 0;
  const cy = Math.ceil(y) | 0;
  const cz = Math.ceil(z) | 0;
  const fx = fround(cx - x);
  const gx = fround(x - (cx - 1));
  const fy = fround(cy - y);
  const gy = fround(y - (cy - 1));
  const fz = fround(cz - z);
  const gz = fround(z - (cz - 1));
  const b = (Math.imul(Math.imul(cx - 1, d2) + cy - 1, d3) + cz - 1) | 0;
  const c = (b + Math.imul(d2, d3)) | 0;
  // Axis 0: floor and ceil planes for each (y, z) corner; then axis 1, then axis 2.
  const v00 = (src[b] as number) * fx + (src[c] as number) * gx;
  const v01 = (src[b + 1] as number) * fx + (src[c + 1] as number) * gx;
  const v10 = (src[b + d3] as number) * fx + (src[c + d3] as number) * gx;
  const v11 = (src[b + d3 + 1] as number) * fx + (src[c + d3 + 1] as number) * gx;
  return (v00 * fy + v10 * gy) * fz + (v01 * fy + v11 * gy) * gz;
}

/**
 * `sampleScalar` for a channel-last volume `[d1, d2, d3, C]`: writes the `C` values at
 * `(x, y, z)` to `dst[o .. o + C)`.
 */
export function sampleChannels(
  src: Float32Array,
  d1: number,
  d2: number,
  d3: number,
  channels: number,
  x: number,
  y: number,
  z: number,
  dst: Float32Array,
  o: number,
): void {
  if (!(x > 0 && x <= d1 - 1 && y > 0 && y <= d2 - 1 && z > 0 && z <= d3 - 1)) {
    dst.fill(0, o, o + channels);
    return;
  }
  const cx = Math.ceil(x);
  const cy = Math.ceil(y);
  const cz = Math.ceil(z);
  const fx = fround(cx - x);
  const gx = fround(x - (cx - 1));
  const fy = fround(cy - y);
  const gy = fround(y - (cy - 1));
  const fz = fround(cz - z);
  const gz = fround(z - (cz - 1));
  const sz = channels;
  const sy = d3 * channels;
  const sx = d2 * sy;
  const b = (((cx - 1) * d2 + (cy - 1)) * d3 + (cz - 1)) * channels;
  for (let ch = 0; ch < channels; ch++) {
    const p = b + ch;
    const q = p + sx;
    const v00 = (src[p] as number) * fx + (src[q] as number) * gx;
    const v01 = (src[p + sz] as number) * fx + (src[q + sz] as number) * gx;
    const v10 = (src[p + sy] as number) * fx + (src[q + sy] as number) * gx;
    const v11 = (src[p + sy + sz] as number) * fx + (src[q + sy + sz] as number) * gx;
    dst[o + ch] = (v00 * fy + v10 * gy) * fz + (v01 * fy + v11 * gy) * gz;
  }
}

/** A 3D volume or channel-last 4D label as the kernels read it. */
export interface Grid {
  data: Float32Array;
  d1: number;
  d2: number;
  d3: number;
  /** 1 for a 3D volume. */
  channels: number;
  /** `[d1, d2, d3]` or `[d1, d2, d3, C]`. */
  shape: number[];
}

/** `volume` as a `Grid`; throws `SHAPE` unless it is 3D or 4D, `INVALID_ARGUMENT` unless contiguous. */
export function gridOf(volume: Volume, caller: string): Grid {
  const shape = volume.shape;
  if (shape.length !== 3 && shape.length !== 4) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `${caller}: expected a 3D volume or a 4D channel-last label, found shape [${shape.join(", ")}]`,
    );
  }
  return {
    data: contiguousData(volume, caller),
    d1: shape[0] as number,
    d2: shape[1] as number,
    d3: shape[2] as number,
    channels: shape.length === 4 ? (shape[3] as number) : 1,
    shape: [...shape],
  };
}

/** Options of `warpAffine` and `warpDdf`. */
export interface WarpOptions {
  /**
   * Write the result into this array (length `d1 * d2 * d3 * C`, not sharing a buffer with the
   * inputs; every element is written) instead of a new one.
   */
  out?: Float32Array;
}

/**
 * The output array of a warp of `grid`: `options.out` after checking it (`INVALID_ARGUMENT` when
 * it has the wrong length or shares a buffer with the volume or `other`), else a new one.
 */
export function outputOf(grid: Grid, options: WarpOptions, caller: string, other?: Float32Array): Float32Array {
  const size = grid.d1 * grid.d2 * grid.d3 * grid.channels;
  const out = options.out;
  if (out === undefined) return new Float32Array(size);
  if (!(out instanceof Float32Array) || out.length !== size) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `${caller}: expected out as a Float32Array of ${size} elements (shape [${grid.shape.join(", ")}]), found ${out instanceof Float32Array ? `${out.length} elements` : typeof out}`,
    );
  }
  if (out.buffer === grid.data.buffer || (other !== undefined && out.buffer === other.buffer)) {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", `${caller}: out must not share its buffer with the input volume or ddf`);
  }
  return out;
}
