import { DeepRegLoaderError, shapeSize } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";

/**
 * The values of `volume` in row-major order. Volumes are contiguous with offset 0
 * (docs/conventions.md); a strided view (`vol.pick(...)`, `vol.transpose(...)`) is refused with
 * `INVALID_ARGUMENT` rather than read wrongly.
 */
export function contiguousData(volume: Volume, caller: string): Float32Array {
  const { shape, stride, offset, data } = volume;
  let expected = 1;
  let ok = offset === 0 && data.length >= shapeSize(shape);
  for (let k = shape.length - 1; ok && k >= 0; k--) {
    const d = shape[k] as number;
    if (d > 1 && stride[k] !== expected) ok = false;
    expected *= d;
  }
  if (!ok) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `${caller}: expected a contiguous row-major volume with offset 0, found shape [${shape.join(", ")}] stride [${stride.join(", ")}] offset ${offset}`,
    );
  }
  return data;
}
