import ndarray from "ndarray";
import type { NdArray } from "ndarray";
import { DeepRegLoaderError } from "./errors.js";

/**
 * A volume: a contiguous row-major (C order, last axis fastest) `Float32Array` with offset 0.
 * `shape` equals what nibabel / h5py report; `vol.get(i, j, k)` equals numpy's `arr[i, j, k]`.
 * See docs/conventions.md.
 */
export type Volume = NdArray<Float32Array>;

/** A volume as plain data: survives `structuredClone` and `postMessage` (transfer `data.buffer`). */
export interface VolumeData {
  /** The values, row-major (C order), `shapeSize(shape)` long. */
  data: Float32Array;
  /** The shape, as nibabel / h5py report it. */
  shape: number[];
}

/** Number of elements of a shape. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throws `SHAPE` unless `shape` is non-negative integers whose product is `data.length`. */
export function assertVolumeShape(data: Float32Array, shape: readonly number[]): void {
  const size = shapeSize(shape);
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || size !== data.length) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `cannot view ${data.length} values as shape [${shape.join(", ")}] (${size} values)`,
    );
  }
}

/** Wrap a row-major `Float32Array` as a `Volume`; throws `SHAPE` when sizes disagree. */
export function createVolume(data: Float32Array, shape: readonly number[]): Volume {
  assertVolumeShape(data, shape);
  return ndarray(data, [...shape]);
}

/** A volume of zeros. */
export function zerosVolume(shape: readonly number[]): Volume {
  return createVolume(new Float32Array(shapeSize(shape)), shape);
}

/** Plain-data form of a volume (shares the buffer). */
export function toVolumeData(volume: Volume): VolumeData {
  return { data: volume.data, shape: [...volume.shape] };
}

/** A volume from its plain-data form (shares the buffer). */
export function fromVolumeData(value: VolumeData): Volume {
  return createVolume(value.data, value.shape);
}
