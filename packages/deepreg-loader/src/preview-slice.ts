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
 * of a RAS-like NIfTI), shown as neuroimaging viewers and
 * `plt.imshow(vol[:, :, k].T, origin="lower")` show it: the first axis runs left to right,
 * the second axis bottom to top. So pixel `(row, col)` is `vol[col, d2 - 1 - row, k]`.
 * Throws `SHAPE` unless the volume is 3D.
 */
export function midSlice(volume: Volume): Slice2D {
  const shape = volume.shape;
  if (shape.length !== 3) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `a preview slice needs a 3D volume, found shape [${shape.join(", ")}]`,
    );
  }
  const [d1, d2, d3] = shape as [number, number, number];
  const k = d3 >> 1;
  const width = d1;
  const height = d2;
  const data = new Float32Array(width * height);
  for (let row = 0; row < height; row++) {
    const j = d2 - 1 - row;
    for (let col = 0; col < width; col++) data[row * width + col] = volume.get(col, j, k);
  }
  return { data, width, height };
}
