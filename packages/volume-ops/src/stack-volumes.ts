import { DeepRegLoaderError, createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { contiguousData } from "./contiguous.js";

/**
 * Stack volumes of one shape on a new leading batch axis: `B` volumes of `shape` ->
 * `[B, ...shape]`, one contiguous `Float32Array`.
 * Throws `INVALID_ARGUMENT` for an empty list, `SHAPE` when a shape differs from the first.
 */
export function stackVolumes(volumes: readonly Volume[]): Volume {
  const first = volumes[0];
  if (first === undefined) {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", "stackVolumes: expected at least one volume, found none");
  }
  const shape = first.shape;
  const size = first.size;
  volumes.forEach((v, i) => {
    if (v.shape.length !== shape.length || v.shape.some((d, k) => d !== shape[k])) {
      throw new DeepRegLoaderError(
        "SHAPE",
        `stackVolumes: volume ${i} has shape [${v.shape.join(", ")}], expected [${shape.join(", ")}] like volume 0`,
        { details: { index: i, shape: [...v.shape], expected: [...shape] } },
      );
    }
  });
  const out = new Float32Array(size * volumes.length);
  volumes.forEach((v, i) => out.set(contiguousData(v, "stackVolumes").subarray(0, size), i * size));
  return createVolume(out, [volumes.length, ...shape]);
}
