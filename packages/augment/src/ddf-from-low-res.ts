import { DeepRegLoaderError, createVolume, shapeSize } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { resize } from "@deepreg-loader/volume-ops";

type Shape3 = readonly [number, number, number];

function isShape3(shape: readonly number[]): boolean {
  return shape.length === 3 && shape.every((d) => Number.isInteger(d) && d >= 1);
}

/**
 * The full DDF `[d1, d2, d3, 3]` (displacements in voxels) of a low-resolution field: the
 * `lowResField` values (row-major `(l1, l2, l3, 3)`, already scaled) as float32, resized to
 * `shape` with volume-ops' `resize` (TF2 bilinear, half-pixel, per channel: DeepReg's
 * `Resize3d`). A `[1, 1, 1]` field is one displacement for every voxel.
 *
 * Throws `INVALID_ARGUMENT` when a shape is not three positive integers or `lowResField` does
 * not hold `l1 * l2 * l3 * 3` finite numbers.
 */
export function ddfFromLowRes(lowResField: ArrayLike<number>, lowResShape: Shape3, shape: Shape3): Volume {
  if (!isShape3(lowResShape) || !isShape3(shape)) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `ddfFromLowRes: expected two shapes of three positive integers, found [${lowResShape.join(", ")}] and [${shape.join(", ")}]`,
    );
  }
  const size = shapeSize(lowResShape) * 3;
  const values = Float32Array.from(lowResField);
  if (values.length !== size || values.some((v) => !Number.isFinite(v))) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `ddfFromLowRes: expected ${size} finite numbers for a low-resolution field of shape [${lowResShape.join(", ")}, 3], found ${values.length}${values.length === size ? " with a non-finite one" : ""}`,
    );
  }
  return resize(createVolume(values, [...lowResShape, 3]), shape);
}
