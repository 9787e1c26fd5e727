import { DeepRegLoaderError, createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { contiguousData } from "./contiguous.js";
import { gridOf, sampleChannels, sampleScalar } from "./zero-boundary.js";

/**
 * DeepReg's linear resample with its "zero boundary" rule (spec/augmentation.md): the values
 * of `volume` (`[d1, d2, d3]` or channel-last `[d1, d2, d3, C]`) at `locations`
 * (`[l1, l2, l3, 3]`, voxel coordinates `(i, j, k)` as float32, not normalised). Returns
 * `[l1, l2, l3]` or `[l1, l2, l3, C]`.
 *
 * Per axis of length `d`, a location `x` with `0 < x <= d - 1` interpolates linearly between
 * `ceil(x) - 1` and `ceil(x)` (an integer `x` gives `v[x]` exactly); any other location on any
 * axis (`x <= 0`, `x > d - 1`, NaN) gives 0, so even the identity zeroes the faces at index 0.
 * Weights, products and sums are float32, combined in DeepReg's order (axis 0 first), so the
 * result equals DeepReg's for the same float32 locations. A zeroed voxel is `+0`.
 *
 * Throws `SHAPE` when `volume` is not 3D/4D or `locations` is not `[l1, l2, l3, 3]`,
 * `INVALID_ARGUMENT` when either is not contiguous.
 */
export function resample(volume: Volume, locations: Volume): Volume {
  const grid = gridOf(volume, "resample");
  const ls = locations.shape;
  if (ls.length !== 4 || ls[3] !== 3) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `resample: expected locations of shape [l1, l2, l3, 3], found [${ls.join(", ")}]`,
    );
  }
  const loc = contiguousData(locations, "resample");
  const count = (ls[0] as number) * (ls[1] as number) * (ls[2] as number);
  const { data, d1, d2, d3, channels } = grid;
  const out = new Float32Array(count * channels);
  if (channels === 1) {
    for (let n = 0, p = 0; n < count; n++, p += 3) {
      out[n] = sampleScalar(data, d1, d2, d3, loc[p] as number, loc[p + 1] as number, loc[p + 2] as number);
    }
  } else {
    for (let n = 0, p = 0; n < count; n++, p += 3) {
      sampleChannels(data, d1, d2, d3, channels, loc[p] as number, loc[p + 1] as number, loc[p + 2] as number, out, n * channels);
    }
  }
  const spatial = ls.slice(0, 3);
  return createVolume(out, volume.shape.length === 4 ? [...spatial, channels] : spatial);
}
