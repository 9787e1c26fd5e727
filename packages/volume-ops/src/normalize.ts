import { DeepRegLoaderError, createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { contiguousData } from "./contiguous.js";
import { valueRange } from "./value-range.js";
import type { ValueRange } from "./value-range.js";

/** DeepReg's `EPS`: keeps the normalisation finite for a constant image. */
export const EPS = 1e-5;

/** Options of {@link normalize}. */
export interface NormalizeOptions {
  /**
   * The volume's `valueRange`, when the caller already has it (saves one pass). It must be the
   * true range: values outside it normalise outside [0, 1]. Default: computed.
   */
  range?: ValueRange;
  /**
   * Write into this array (as many elements as the volume) instead of allocating one. It may be
   * the volume's own `data`: normalising in place saves allocating (and page-faulting) a second
   * volume. Default: a new array.
   */
  out?: Float32Array;
}

/**
 * Per-image intensity normalisation of DeepReg: `(x - min + EPS) / (max - min + EPS)`, so the
 * values lie in (0, 1]; a constant image becomes all ones. Returns a new volume of the same
 * shape (over `options.out` when given).
 *
 * Computed in float32 step by step, exactly as numpy evaluates DeepReg's expression on a
 * float32 array (`EPS` rounded to float32, every `-`, `+`, `/` rounded to float32), so the
 * result equals DeepReg's bit for bit.
 *
 * Throws `VALUE_RANGE` when the volume holds NaN or an infinity (the message names no file:
 * callers add it), `SHAPE` when it has no values, `INVALID_ARGUMENT` when `out` has the wrong
 * length.
 *
 * @example
 * ```ts
 * import { createVolume } from "@deepreg-loader/core";
 * import { normalize } from "@deepreg-loader/volume-ops";
 *
 * const image = createVolume(Float32Array.of(0, 50, 100, 200), [1, 2, 2]);
 * console.log(Array.from(normalize(image).data, (v) => +v.toFixed(4)));
 * // [ 0, 0.25, 0.5, 1 ]
 * ```
 */
export function normalize(volume: Volume, options: NormalizeOptions = {}): Volume {
  const { min, max } = options.range ?? valueRange(volume);
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    throw new DeepRegLoaderError(
      "VALUE_RANGE",
      `cannot normalise an image with non-finite values: expected finite numbers, found min ${min} max ${max}`,
      { details: { min, max } },
    );
  }
  const data = contiguousData(volume, "normalize");
  const n = volume.size;
  const given = options.out;
  if (given !== undefined && given.length !== n) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `normalize: options.out has ${given.length} elements, expected ${n} for shape [${volume.shape.join(", ")}]`,
    );
  }
  const out = given ?? new Float32Array(n);
  normalizeInto(data, out, n, min, max);
  return createVolume(out, volume.shape);
}

function normalizeInto(data: Float32Array, out: Float32Array, n: number, min: number, max: number): void {
  const fround = Math.fround;
  const eps = fround(EPS);
  const lo = fround(min);
  const denominator = fround(fround(fround(max) - lo) + eps);
  for (let i = 0; i < n; i++) {
    out[i] = fround(fround((data[i] as number) - lo) + eps) / denominator;
  }
}
