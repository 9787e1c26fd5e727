import { DeepRegLoaderError, createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { gridOf, sampleChannels } from "./zero-boundary.js";

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
 * Throws `SHAPE` when the volume is not 3D/4D, `INVALID_ARGUMENT` when it is not contiguous or
 * `theta` is not 12 finite numbers.
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
export function warpAffine(volume: Volume, theta: ArrayLike<number>): Volume {
  const t = thetaOf(theta);
  const grid = gridOf(volume, "warpAffine");
  const { data, d1, d2, d3, channels } = grid;
  const [t00, t01, t02, t10, t11, t12, t20, t21, t22, t30, t31, t32] = t as [
    number, number, number, number, number, number, number, number, number, number, number, number,
  ];
  const out = new Float32Array(d1 * d2 * d3 * channels);
  const h1 = d1 - 1;
  const h2 = d2 - 1;
  const h3 = d3 - 1;
  const plane = d2 * d3;
  let o = 0;
  for (let i = 0; i < d1; i++) {
    for (let j = 0; j < d2; j++) {
      const bx = i * t00 + j * t10 + t30;
      const by = i * t01 + j * t11 + t31;
      const bz = i * t02 + j * t12 + t32;
      if (channels === 1) {
        // `sampleScalar` written out: V8 does not inline it here, and the call halves the speed.
        // Tests check that both give the same values.
        for (let k = 0; k < d3; k++, o++) {
          const x = fround(bx + k * t20);
          const y = fround(by + k * t21);
          const z = fround(bz + k * t22);
          if (!(x > 0 && x <= h1 && y > 0 && y <= h2 && z > 0 && z <= h3)) {
            out[o] = 0;
            continue;
          }
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
          const c = (b + plane) | 0;
          const v00 = (data[b] as number) * fx + (data[c] as number) * gx;
          const v01 = (data[b + 1] as number) * fx + (data[c + 1] as number) * gx;
          const v10 = (data[b + d3] as number) * fx + (data[c + d3] as number) * gx;
          const v11 = (data[b + d3 + 1] as number) * fx + (data[c + d3 + 1] as number) * gx;
          out[o] = (v00 * fy + v10 * gy) * fz + (v01 * fy + v11 * gy) * gz;
        }
      } else {
        for (let k = 0; k < d3; k++, o += channels) {
          sampleChannels(data, d1, d2, d3, channels, fround(bx + k * t20), fround(by + k * t21), fround(bz + k * t22), out, o);
        }
      }
    }
  }
  return createVolume(out, grid.shape);
}
