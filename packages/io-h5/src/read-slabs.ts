import { bigintToFloat32, shapeSize } from "@deepreg-loader/core";
import type { Dataset } from "h5wasm";
import { copyToFloat32 } from "./to-float32.js";
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
 * With `channel` (a 4D dataset `[d1, d2, d3, C]`), only `[..., channel]` is converted, as
 * `[d1, d2, d3]`: whole rows of `C` values are read (one copy out of the wasm heap, as fast as a
 * plain read; an HDF5 hyperslab with a fixed last index gathers element by element in wasm,
 * several times slower) and every `C`-th value is converted.
 */
export function readFloat32(
  dataset: Dataset,
  shape: readonly number[],
  itemSize: number,
  slabBytes: number,
  chunks: readonly number[] | null,
  channel?: number,
): Float32Array {
  const picked = channel !== undefined && shape.length === 4;
  // Reads cover whole channel rows: slabs are planned over the spatial axes, C values per voxel.
  const channels = picked ? (shape[3] as number) : 1;
  const selected = picked ? shape.slice(0, 3) : shape;
  const size = shapeSize(selected);
  if (size === 0) return new Float32Array(0);
  if (selected.length === 0) {
    const value = dataset.value as number | bigint;
    return Float32Array.of(typeof value === "bigint" ? bigintToFloat32(value) : value);
  }
  const convert = (values: NumericArray, out: Float32Array, offset: number): number => {
    if (!picked) {
      copyToFloat32(values, out, offset);
      return values.length;
    }
    return takeEvery(values, channels, channel, out, offset);
  };
  if (size * channels * itemSize <= slabBytes) {
    const values = dataset.value as NumericArray;
    if (!picked && values instanceof Float32Array) return values;
    const out = new Float32Array(size);
    convert(values, out, 0);
    return out;
  }

  const { axis, step } = planSlabs(selected, itemSize * channels, slabBytes, chunks?.slice(0, selected.length) ?? null);
  const out = new Float32Array(size);
  const outer = selected.slice(0, axis);
  const index = outer.map(() => 0);
  const extent = selected[axis] as number;
  let offset = 0;
  for (let n = shapeSize(outer); n > 0; n--) {
    for (let start = 0; start < extent; start += step) {
      const ranges = shape.map((_, a): [] | [number, number] =>
        a < axis ? [index[a] as number, (index[a] as number) + 1] : a === axis ? [start, Math.min(start + step, extent)] : [],
      );
      offset += convert(dataset.slice(ranges) as NumericArray, out, offset);
    }
    // Next index of the outer axes, last fastest.
    for (let a = axis - 1; a >= 0; a--) {
      index[a] = (index[a] as number) + 1;
      if ((index[a] as number) < (selected[a] as number)) break;
      index[a] = 0;
    }
  }
  return out;
}

/**
 * Writes `values[k * step + first]` for every `k` into `out` from `offset`, converted to float32
 * like {@link copyToFloat32}; returns how many were written.
 */
function takeEvery(values: NumericArray, step: number, first: number, out: Float32Array, offset: number): number {
  const count = Math.floor(values.length / step);
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const converted = new Float32Array(values.length);
    copyToFloat32(values, converted, 0);
    return takeEvery(converted, step, first, out, offset);
  }
  for (let k = 0, i = first; k < count; k++, i += step) out[offset + k] = values[i] as number;
  return count;
}
