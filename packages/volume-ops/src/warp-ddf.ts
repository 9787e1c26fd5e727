import { DeepRegLoaderError, createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { contiguousData } from "./contiguous.js";
import { gridOf, outputOf, sampleChannels, sampleScalar } from "./zero-boundary.js";
import type { WarpOptions } from "./zero-boundary.js";

const fround = Math.fround;

/**
 * DeepReg's dense displacement warp: `resample(volume, grid + ddf)`, where
 * `grid[i, j, k] = (i, j, k)` and `ddf` is `[d1, d2, d3, 3]` (displacements in voxels, for the
 * volume's own spatial shape). Each location `i + ddf[i, j, k, 0]` (and so on) is one float32
 * sum, sampled as `resample` does (zero boundary). Same shape out as in (`[d1, d2, d3]` or
 * channel-last `[d1, d2, d3, C]`). No locations array is built.
 *
 * `options.out`: write into this array (every element is written) instead of a new one.
 *
 * Throws `SHAPE` when the volume is not 3D/4D or `ddf` is not `[d1, d2, d3, 3]` of the volume's
 * `d1, d2, d3`, `INVALID_ARGUMENT` when either is not contiguous or `out` has the wrong length or
 * shares the buffer of the volume or the ddf.
 */
export function warpDdf(volume: Volume, ddf: Volume, options: WarpOptions = {}): Volume {
  const grid = gridOf(volume, "warpDdf");
  const { data, d1, d2, d3, channels } = grid;
  const fs = ddf.shape;
  if (fs.length !== 4 || fs[0] !== d1 || fs[1] !== d2 || fs[2] !== d3 || fs[3] !== 3) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `warpDdf: expected a ddf of shape [${d1}, ${d2}, ${d3}, 3] for a volume of shape [${grid.shape.join(", ")}], found [${fs.join(", ")}]`,
    );
  }
  const field = contiguousData(ddf, "warpDdf");
  const out = outputOf(grid, options, "warpDdf", field);
  let n = 0;
  for (let i = 0; i < d1; i++) {
    for (let j = 0; j < d2; j++) {
      for (let k = 0; k < d3; k++, n++) {
        const p = n * 3;
        const x = fround(i + (field[p] as number));
        const y = fround(j + (field[p + 1] as number));
        const z = fround(k + (field[p + 2] as number));
        if (channels === 1) out[n] = sampleScalar(data, d1, d2, d3, x, y, z);
        else sampleChannels(data, d1, d2, d3, channels, x, y, z, out, n * channels);
      }
    }
  }
  return createVolume(out, grid.shape);
}
