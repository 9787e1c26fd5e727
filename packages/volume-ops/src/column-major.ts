import { DeepRegLoaderError, shapeSize } from "@deepreg-loader/core";

/** Options of {@link columnMajorToRowMajor}. */
export interface ColumnMajorToRowMajorOptions {
  /**
   * Multiply every value by `slope` and add `inter` (NIfTI `scl_slope` / `scl_inter`).
   * Default: no scaling. The caller decides when scaling applies (NIfTI: not when
   * `scl_slope` is 0 or non-finite).
   */
  slope?: number;
  /** Added after multiplying by `slope`; ignored without `slope`. Default 0. */
  inter?: number;
  /** Write into this array (length = number of elements) instead of allocating one. */
  out?: Float32Array;
}

/** Edge of the square tiles of the blocked transpose (elements). */
const BLOCK = 16;

/**
 * Reorder a column-major buffer (Fortran order, first axis fastest: how NIfTI stores voxels)
 * into a row-major `Float32Array` (C order, last axis fastest) of the same `shape`, so that
 * `out[((i * d2) + j) * d3 + k] === source[i + d1 * (j + d2 * k)]` for a 3D shape `[d1, d2, d3]`.
 * Works for any number of dimensions and any numeric typed array (or plain array); values are
 * converted to float32 (`BigInt64Array` is not accepted: convert to numbers first).
 * With `slope` each value becomes `v * slope + inter` (computed in float64, stored as float32).
 *
 * Axes of length 1 are dropped (they change neither order); with two or more axes left, the
 * first and last axes are transposed in 16x16 tiles for every index of the middle axes, which
 * keeps both the reads and the writes within a few cache lines.
 *
 * Throws `SHAPE` when `shape` holds a negative or non-integer length or its size differs from
 * `source.length`, `INVALID_ARGUMENT` when `out` has the wrong length.
 */
export function columnMajorToRowMajor(
  source: ArrayLike<number>,
  shape: readonly number[],
  options: ColumnMajorToRowMajorOptions = {},
): Float32Array {
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `columnMajorToRowMajor: shape [${shape.join(", ")}] has a negative or non-integer length`,
    );
  }
  const size = shapeSize(shape);
  if (source.length !== size) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `columnMajorToRowMajor: expected ${size} values for shape [${shape.join(", ")}], found ${source.length}`,
    );
  }
  const { slope, inter = 0, out: given } = options;
  if (given !== undefined && given.length !== size) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `columnMajorToRowMajor: options.out has ${given.length} elements, expected ${size} for shape [${shape.join(", ")}]`,
    );
  }
  const out = given ?? new Float32Array(size);
  const scaled = slope !== undefined;
  const a = slope ?? 1;
  const dims = shape.filter((d) => d !== 1);
  if (size === 0) return out;

  if (dims.length <= 1) {
    if (scaled) {
      for (let i = 0; i < size; i++) out[i] = (source[i] as number) * a + inter;
    } else if (ArrayBuffer.isView(source)) {
      out.set(source as unknown as ArrayLike<number>);
    } else {
      for (let i = 0; i < size; i++) out[i] = source[i] as number;
    }
    return out;
  }

  const n = dims.length;
  const first = dims[0] as number;
  const last = dims[n - 1] as number;
  // Stride of the last axis in the source (column-major) and of the first axis in the output.
  const srcLastStride = size / last;
  const dstFirstStride = size / first;
  const mid = dims.slice(1, n - 1);
  // Column-major strides of the middle axes in the source, row-major strides in the output.
  const srcMid: number[] = [];
  const dstMid: number[] = [];
  {
    let s = first;
    for (const d of mid) {
      srcMid.push(s);
      s *= d;
    }
    let t = last;
    for (let k = mid.length - 1; k >= 0; k--) {
      dstMid[k] = t;
      t *= mid[k] as number;
    }
  }
  const index = new Array<number>(mid.length).fill(0);
  const midCount = size / (first * last);
  let srcBase = 0;
  let dstBase = 0;
  for (let m = 0; m < midCount; m++) {
    // Transpose the [first, last] plane at (srcBase, dstBase) tile by tile.
    for (let i0 = 0; i0 < first; i0 += BLOCK) {
      const i1 = Math.min(i0 + BLOCK, first);
      for (let k0 = 0; k0 < last; k0 += BLOCK) {
        const k1 = Math.min(k0 + BLOCK, last);
        for (let i = i0; i < i1; i++) {
          const dstRow = dstBase + i * dstFirstStride;
          let s = srcBase + i + k0 * srcLastStride;
          if (scaled) {
            for (let k = k0; k < k1; k++, s += srcLastStride) {
              out[dstRow + k] = (source[s] as number) * a + inter;
            }
          } else {
            for (let k = k0; k < k1; k++, s += srcLastStride) out[dstRow + k] = source[s] as number;
          }
        }
      }
    }
    // Advance the middle multi-index (the last middle axis fastest, like the output).
    for (let k = mid.length - 1; k >= 0; k--) {
      const next = (index[k] as number) + 1;
      const sStride = srcMid[k] as number;
      const dStride = dstMid[k] as number;
      if (next < (mid[k] as number)) {
        index[k] = next;
        srcBase += sStride;
        dstBase += dStride;
        break;
      }
      srcBase -= (index[k] as number) * sStride;
      dstBase -= (index[k] as number) * dStride;
      index[k] = 0;
    }
  }
  return out;
}
