import { DeepRegLoaderError, createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { contiguousData } from "./contiguous.js";
import { valueRange } from "./value-range.js";

/** DeepReg's `EPS`: keeps the normalisation finite for a constant image. */
export const EPS = 1e-5;

/**
 * Per-image intensity normalisation of DeepReg: `(x - min + EPS) / (max - min + EPS)`, so the
 * values lie in (0, 1]; a constant image becomes all ones. Returns a new volume of the same shape.
 *
 * Computed in float32 step by step, exactly as numpy evaluates DeepReg's expression on a
 * float32 array (`EPS` rounded to float32, every `-`, `+`, `/` rounded to float32), so the
 * result equals DeepReg's bit for bit.
 *
 * Throws `VALUE_RANGE` when the volume holds NaN or an infinity (the message names no file:
 * callers add it), `SHAPE` when it has no values.
 */
export function normalize(volume: Volume): Volume {
  const { min, max } = valueRange(volume);
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    throw new DeepRegLoaderError(
      "VALUE_RANGE",
      `cannot normalise an image with non-finite values: expected finite numbers, found min ${min} max ${max}`,
      { details: { min, max } },
    );
  }
  const fround = Math.fround;
  const eps = fround(EPS);
  const lo = fround(min);
  const denominator = fround(fround(fround(max) - lo) + eps);
  const data = contiguousData(volume, "normalize");
  const n = volume.size;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = fround(fround((data[i] as number) - lo) + eps) / denominator;
  }
  return createVolume(out, volume.shape);
}
