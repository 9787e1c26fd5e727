import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { contiguousData } from "./contiguous.js";

/** Smallest and largest value of a volume. */
export interface ValueRange {
  min: number;
  max: number;
}

/**
 * Minimum and maximum of every value of `volume`, in one pass. Like numpy's `min`/`max`, a NaN
 * anywhere makes both NaN; infinities are returned as they are.
 * Throws `SHAPE` when the volume has no values.
 */
export function valueRange(volume: Volume): ValueRange {
  const data = contiguousData(volume, "valueRange");
  const n = volume.size;
  if (n === 0) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `valueRange: the volume of shape [${volume.shape.join(", ")}] has no values`,
    );
  }
  const first = data[0] as number;
  let min = first;
  let max = first;
  let nan = Number.isNaN(first);
  for (let i = 1; i < n; i++) {
    const v = data[i] as number;
    if (v < min) min = v;
    else if (v > max) max = v;
    else if (v !== v) nan = true;
  }
  return nan ? { min: Number.NaN, max: Number.NaN } : { min, max };
}
