// preview/preview-slice.ts: 2D slices of volumes for previews. May import core.
import type { Volume } from "@deepreg-loader/core";
import { DeepRegLoaderError } from "@deepreg-loader/core";

/**
 * A 2D greyscale picture, row-major, row 0 at the top: `data[row * width + col]`.
 * Values are those of the volume (images in [0, 1] after normalisation, labels in [0, 1]).
 */
export interface Slice2D {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * The middle slice of a 3D volume along its last axis (`vol[:, :, d3 >> 1]`, the axial slice
 * of a RAS-like NIfTI); see `sliceAt` for the orientation. Throws `SHAPE` unless the volume is 3D.
 */
export function midSlice(volume: Volume): Slice2D {
  return sliceAt(volume, threeD(volume)[2] >> 1);
}

/**
 * Slice `k` of a 3D volume along its last axis (`vol[:, :, k]`), shown as neuroimaging viewers
 * and `plt.imshow(vol[:, :, k].T, origin="lower")` show it: the first axis runs left to right,
 * the second axis bottom to top. So pixel `(row, col)` is `vol[col, d2 - 1 - row, k]`.
 * Throws `SHAPE` unless the volume is 3D, `INVALID_ARGUMENT` when `k` is not in `[0, d3)`.
 */
export function sliceAt(volume: Volume, k: number): Slice2D {
  const [d1, d2, d3] = threeD(volume);
  if (!Number.isInteger(k) || k < 0 || k >= d3) {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", `cannot take slice ${k} of an axis of ${d3}`);
  }
  const width = d1;
  const height = d2;
  const data = new Float32Array(width * height);
  for (let row = 0; row < height; row++) {
    const j = d2 - 1 - row;
    for (let col = 0; col < width; col++) data[row * width + col] = volume.get(col, j, k);
  }
  return { data, width, height };
}

/**
 * The slice along the last axis through a label's centre of mass: `round(sum(k * l) / sum(l))`
 * over every voxel, label values `l` clamped to [0, 1] (as they are drawn); the middle slice
 * `d3 >> 1` when the label is empty. Throws `SHAPE` unless the label is 3D.
 */
export function labelSliceIndex(label: Volume): number {
  const [d1, d2, d3] = threeD(label);
  let mass = 0;
  let moment = 0;
  for (let k = 0; k < d3; k++) {
    let m = 0;
    for (let i = 0; i < d1; i++) {
      for (let j = 0; j < d2; j++) {
        const v = label.get(i, j, k);
        m += v > 1 ? 1 : v > 0 ? v : 0; // NaN -> 0
      }
    }
    mass += m;
    moment += k * m;
  }
  return mass > 0 ? Math.min(d3 - 1, Math.round(moment / mass)) : d3 >> 1;
}

function threeD(volume: Volume): [number, number, number] {
  const shape = volume.shape;
  if (shape.length !== 3) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `a preview slice needs a 3D volume, found shape [${shape.join(", ")}]`,
    );
  }
  return shape as [number, number, number];
}
