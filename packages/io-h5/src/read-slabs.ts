import { shapeSize } from "@deepreg-loader/core";
import type { Dataset } from "h5wasm";
import { bigintToFloat32, copyToFloat32 } from "./to-float32.js";
import type { NumericArray } from "./to-float32.js";

/** How a dataset is cut into hyperslabs: `step` indices along `axis` at a time, one index of every axis before it. */
export interface SlabPlan {
  axis: number;
  step: number;
}

/**
 * The largest slabs of at most `slabBytes` that are contiguous in row-major order: the
 * outermost axis whose trailing block fits, `step` of its indices per read (a multiple of the
 * chunk extent along it when chunked, so no chunk is decompressed twice).
 */
export function planSlabs(
  shape: readonly number[],
  itemSize: number,
  slabBytes: number,
  chunks: readonly number[] | null = null,
): SlabPlan {
  let axis = 0;
  let inner = shapeSize(shape.slice(1)) * itemSize;
  while (inner > slabBytes && axis < shape.length - 1) {
    axis += 1;
    inner /= shape[axis] as number;
  }
  const extent = shape[axis] as number;
  let step = Math.max(1, Math.min(extent, Math.floor(slabBytes / inner)));
  const chunk = chunks?.[axis];
  if (chunk !== undefined && step > chunk && step < extent) step -= step % chunk;
  return { axis, step };
}

/**
 * Reads a numeric dataset as row-major float32 values. Up to `slabBytes` bytes (of the stored
 * type) in one read; larger datasets in hyperslabs of at most that size, each converted into
 * the output, so the wasm heap (2 GiB, never shrinks) holds one slab at a time.
 */
export function readFloat32(
  dataset: Dataset,
  shape: readonly number[],
  itemSize: number,
  slabBytes: number,
  chunks: readonly number[] | null,
): Float32Array {
  const size = shapeSize(shape);
  if (size === 0) return new Float32Array(0);
  if (shape.length === 0) {
    const value = dataset.value as number | bigint;
    return Float32Array.of(typeof value === "bigint" ? bigintToFloat32(value) : value);
  }
  if (size * itemSize <= slabBytes) {
    const values = dataset.value as NumericArray;
    if (values instanceof Float32Array) return values;
    const out = new Float32Array(size);
    copyToFloat32(values, out, 0);
    return out;
  }

  const { axis, step } = planSlabs(shape, itemSize, slabBytes, chunks);
  const out = new Float32Array(size);
  const outer = shape.slice(0, axis);
  const index = outer.map(() => 0);
  const extent = shape[axis] as number;
  let offset = 0;
  for (let n = shapeSize(outer); n > 0; n--) {
    for (let start = 0; start < extent; start += step) {
      const ranges = shape.map((_, a): [] | [number, number] =>
        a < axis ? [index[a] as number, (index[a] as number) + 1] : a === axis ? [start, Math.min(start + step, extent)] : [],
      );
      const values = dataset.slice(ranges) as NumericArray;
      copyToFloat32(values, out, offset);
      offset += values.length;
    }
    // Next index of the outer axes, last fastest.
    for (let a = axis - 1; a >= 0; a--) {
      index[a] = (index[a] as number) + 1;
      if ((index[a] as number) < (shape[a] as number)) break;
      index[a] = 0;
    }
  }
  return out;
}
