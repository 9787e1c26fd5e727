import { DeepRegLoaderError, shapeSize } from "@deepreg-loader/core";
import { EPS } from "./normalize.js";
import type { ValueRange } from "./value-range.js";

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
  /**
   * Normalise while reordering, as {@link normalize} does with this range (the range of the
   * values as float32: `valueRangeOf(source)`): one pass instead of three (reorder, range,
   * normalise), bit-equal to `normalize(columnMajorToRowMajor(source, shape), { range })`.
   * Not with `slope` (`INVALID_ARGUMENT`): scale first.
   */
  normalize?: ValueRange;
}

/** The grouped axis is the last one at least this long (shorter ones, e.g. channels, loop outside). */
const MIN_INNER = 16;

/**
 * Reorder a column-major buffer (Fortran order, first axis fastest: how NIfTI stores voxels)
 * into a row-major `Float32Array` (C order, last axis fastest) of the same `shape`, so that
 * `out[((i * d2) + j) * d3 + k] === source[i + d1 * (j + d2 * k)]` for a 3D shape `[d1, d2, d3]`.
 * Works for any number of dimensions and any numeric typed array (or plain array); values are
 * converted to float32 (`BigInt64Array` is not accepted: convert to numbers first).
 * With `slope` each value becomes `v * slope + inter` (computed in float64, stored as float32).
 *
 * This is a full reversal of the axes. Axes of length 1 are dropped (they change neither
 * order). The innermost loop runs along the first axis (`x`, contiguous in the source) over
 * four lines of the source at once, four steps apart along the last axis of length >= 16 (`z`
 * of `[x, y, z, 3]`), and writes four neighbouring outputs per step; the other axes (`y`,
 * then the channel) loop outermost. Reading along `z` instead (one value per line of a stride
 * of `d1 * d2` values, a power of two on typical volumes, so the lines compete for the same
 * cache sets) took 1.5-2x as long. The inner loops have one copy per common source type
 * (uint8, int16, float32, float64) so that V8 compiles each for one array type.
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
  const { slope, inter = 0, out: given, normalize: range } = options;
  if (range !== undefined && slope !== undefined) {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", "columnMajorToRowMajor: options.normalize and options.slope cannot be combined (scale first)");
  }
  if (range !== undefined && (!Number.isFinite(range.min) || !Number.isFinite(range.max))) {
    throw new DeepRegLoaderError(
      "VALUE_RANGE",
      `cannot normalise an image with non-finite values: expected finite numbers, found min ${range.min} max ${range.max}`,
      { details: { min: range.min, max: range.max } },
    );
  }
  if (given !== undefined && given.length !== size) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `columnMajorToRowMajor: options.out has ${given.length} elements, expected ${size} for shape [${shape.join(", ")}]`,
    );
  }
  const out = given ?? new Float32Array(size);
  const dims = shape.filter((d) => d !== 1);
  if (size === 0) return out;

  if (range !== undefined) {
    const { lo, eps, denominator } = normalizeConstants(range);
    const fround = Math.fround;
    const panel = normalizedPanelFor(source);
    if (dims.length <= 1) {
      for (let i = 0; i < size; i++) out[i] = fround(fround(fround(source[i] as number) - lo) + eps) / denominator;
    } else {
      reverseAxes(source, out, dims, (src, o, sb, db, first, df, inner, si, di) => panel(src, o, sb, db, first, df, inner, si, di, lo, eps, denominator));
    }
    return out;
  }
  if (dims.length <= 1) {
    if (slope !== undefined) {
      for (let i = 0; i < size; i++) out[i] = (source[i] as number) * slope + inter;
    } else if (ArrayBuffer.isView(source)) {
      out.set(source as unknown as ArrayLike<number>);
    } else {
      for (let i = 0; i < size; i++) out[i] = source[i] as number;
    }
    return out;
  }
  reverseAxes(source, out, dims, slope === undefined ? panelFor(source) : scaledPanel(slope, inter));
  return out;
}

/**
 * Every channel of a column-major `[d1, d2, d3, C]` buffer (how NIfTI stores a 4D label: one
 * contiguous `[d1, d2, d3]` block per channel) as its own row-major `Float32Array` of
 * `d1 * d2 * d3` values: array `c` equals channel `c` of `columnMajorToRowMajor(source, shape)`
 * (that is, `takeChannel` of it), without the channel-last intermediate. Each channel is a 3D
 * reorder with contiguous writes; the arrays can be handed out one by one. A 3D `shape` gives
 * one array. Same dtypes and errors as {@link columnMajorToRowMajor} (`SHAPE` also for a shape
 * that is not 3D or 4D).
 */
export function columnMajorChannels(source: ArrayLike<number>, shape: readonly number[]): Float32Array[] {
  if (shape.length !== 3 && shape.length !== 4) {
    throw new DeepRegLoaderError("SHAPE", `columnMajorChannels: expected a 3D or 4D shape, found [${shape.join(", ")}]`);
  }
  const spatial = shape.slice(0, 3);
  const channels = shape.length === 4 ? (shape[3] as number) : 1;
  const size = shapeSize(shape);
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || source.length !== size) {
    // The general function reports what is wrong.
    columnMajorToRowMajor(source, shape);
  }
  const n = size / Math.max(1, channels);
  const outs: Float32Array[] = [];
  for (let c = 0; c < channels; c++) outs.push(columnMajorToRowMajor(part(source, c * n, n), spatial));
  return outs;
}

/** `source[start, start + length)` as a view (typed arrays) or a copy (plain arrays). */
function part(source: ArrayLike<number>, start: number, length: number): ArrayLike<number> {
  if (start === 0 && length === source.length) return source;
  const view = source as { subarray?: (begin: number, end: number) => ArrayLike<number> };
  if (ArrayBuffer.isView(source) && typeof view.subarray === "function") return view.subarray(start, start + length);
  return Array.prototype.slice.call(source, start, start + length) as number[];
}

/**
 * Copy one panel: for `x` in `[0, first)` and `j` in `[0, inner)`,
 * `out[dstBase + x * dstFirst + j * dstInner] = src[srcBase + x + j * srcInner]`,
 * `x` innermost, four `j` at a time.
 */
type Panel = (
  src: ArrayLike<number>,
  out: Float32Array,
  srcBase: number,
  dstBase: number,
  first: number,
  dstFirst: number,
  inner: number,
  srcInner: number,
  dstInner: number,
) => void;

/**
 * The full axis reversal of `dims` (two or more axes, none of length 1) from `src` into `out`:
 * one panel (first axis x grouped axis) for every index of the other axes, which an odometer
 * walks with the second axis fastest.
 */
function reverseAxes(src: ArrayLike<number>, out: Float32Array, dims: number[], panel: Panel): void {
  const n = dims.length;
  // Column-major (source) and row-major (output) strides.
  const colStride: number[] = [];
  const rowStride: number[] = [];
  for (let a = 0, s = 1; a < n; s *= dims[a] as number, a++) colStride.push(s);
  for (let a = n - 1, s = 1; a >= 0; s *= dims[a] as number, a--) rowStride[a] = s;

  let k = n - 1;
  while (k > 1 && (dims[k] as number) < MIN_INNER) k--;
  const first = dims[0] as number;
  const inner = dims[k] as number;
  const outer: number[] = [];
  for (let a = 1; a < n; a++) if (a !== k) outer.push(a);

  const index = new Array<number>(outer.length).fill(0);
  const panels = out.length / (first * inner);
  const dstFirst = rowStride[0] as number;
  const srcInner = colStride[k] as number;
  const dstInner = rowStride[k] as number;
  let srcBase = 0;
  let dstBase = 0;
  for (let m = 0; m < panels; m++) {
    panel(src, out, srcBase, dstBase, first, dstFirst, inner, srcInner, dstInner);
    // Advance the outer multi-index (its first axis fastest).
    for (let t = 0; t < outer.length; t++) {
      const a = outer[t] as number;
      const next = (index[t] as number) + 1;
      if (next < (dims[a] as number)) {
        index[t] = next;
        srcBase += colStride[a] as number;
        dstBase += rowStride[a] as number;
        break;
      }
      srcBase -= (index[t] as number) * (colStride[a] as number);
      dstBase -= (index[t] as number) * (rowStride[a] as number);
      index[t] = 0;
    }
  }
}

// One copy of the panel loop per common source type: V8 keeps type feedback per function
// literal, so a single loop fed uint8, int16, float32 and float64 arrays (and more) turns
// megamorphic and runs about 3x slower. The copies are identical but for the `src` type.

const panelUint8: Panel = (src, out, srcBase, dstBase, first, dstFirst, inner, srcInner, dstInner) => {
  const v = src as Uint8Array;
  const d2 = 2 * dstInner;
  const d3 = 3 * dstInner;
  let j = 0;
  for (; j + 3 < inner; j += 4) {
    const s0 = srcBase + j * srcInner;
    const s1 = s0 + srcInner;
    const s2 = s1 + srcInner;
    const s3 = s2 + srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) {
      out[o] = v[s0 + x] as number;
      out[o + dstInner] = v[s1 + x] as number;
      out[o + d2] = v[s2 + x] as number;
      out[o + d3] = v[s3 + x] as number;
    }
  }
  for (; j < inner; j++) {
    const s0 = srcBase + j * srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) out[o] = v[s0 + x] as number;
  }
};

const panelInt16: Panel = (src, out, srcBase, dstBase, first, dstFirst, inner, srcInner, dstInner) => {
  const v = src as Int16Array;
  const d2 = 2 * dstInner;
  const d3 = 3 * dstInner;
  let j = 0;
  for (; j + 3 < inner; j += 4) {
    const s0 = srcBase + j * srcInner;
    const s1 = s0 + srcInner;
    const s2 = s1 + srcInner;
    const s3 = s2 + srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) {
      out[o] = v[s0 + x] as number;
      out[o + dstInner] = v[s1 + x] as number;
      out[o + d2] = v[s2 + x] as number;
      out[o + d3] = v[s3 + x] as number;
    }
  }
  for (; j < inner; j++) {
    const s0 = srcBase + j * srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) out[o] = v[s0 + x] as number;
  }
};

const panelFloat32: Panel = (src, out, srcBase, dstBase, first, dstFirst, inner, srcInner, dstInner) => {
  const v = src as Float32Array;
  const d2 = 2 * dstInner;
  const d3 = 3 * dstInner;
  let j = 0;
  for (; j + 3 < inner; j += 4) {
    const s0 = srcBase + j * srcInner;
    const s1 = s0 + srcInner;
    const s2 = s1 + srcInner;
    const s3 = s2 + srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) {
      out[o] = v[s0 + x] as number;
      out[o + dstInner] = v[s1 + x] as number;
      out[o + d2] = v[s2 + x] as number;
      out[o + d3] = v[s3 + x] as number;
    }
  }
  for (; j < inner; j++) {
    const s0 = srcBase + j * srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) out[o] = v[s0 + x] as number;
  }
};

const panelFloat64: Panel = (src, out, srcBase, dstBase, first, dstFirst, inner, srcInner, dstInner) => {
  const v = src as Float64Array;
  const d2 = 2 * dstInner;
  const d3 = 3 * dstInner;
  let j = 0;
  for (; j + 3 < inner; j += 4) {
    const s0 = srcBase + j * srcInner;
    const s1 = s0 + srcInner;
    const s2 = s1 + srcInner;
    const s3 = s2 + srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) {
      out[o] = v[s0 + x] as number;
      out[o + dstInner] = v[s1 + x] as number;
      out[o + d2] = v[s2 + x] as number;
      out[o + d3] = v[s3 + x] as number;
    }
  }
  for (; j < inner; j++) {
    const s0 = srcBase + j * srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) out[o] = v[s0 + x] as number;
  }
};

/** Any other source (int8, uint16, int32, uint32, clamped, plain arrays). */
const panelAny: Panel = (src, out, srcBase, dstBase, first, dstFirst, inner, srcInner, dstInner) => {
  const d2 = 2 * dstInner;
  const d3 = 3 * dstInner;
  let j = 0;
  for (; j + 3 < inner; j += 4) {
    const s0 = srcBase + j * srcInner;
    const s1 = s0 + srcInner;
    const s2 = s1 + srcInner;
    const s3 = s2 + srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) {
      out[o] = src[s0 + x] as number;
      out[o + dstInner] = src[s1 + x] as number;
      out[o + d2] = src[s2 + x] as number;
      out[o + d3] = src[s3 + x] as number;
    }
  }
  for (; j < inner; j++) {
    const s0 = srcBase + j * srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) out[o] = src[s0 + x] as number;
  }
};

function panelFor(source: ArrayLike<number>): Panel {
  if (source instanceof Float64Array) return panelFloat64;
  if (source instanceof Float32Array) return panelFloat32;
  if (source instanceof Uint8Array) return panelUint8;
  if (source instanceof Int16Array) return panelInt16;
  return panelAny;
}

/** The panel loop with `v * slope + inter` (rare: NIfTI scaling; any source type). */
function scaledPanel(slope: number, inter: number): Panel {
  return (src, out, srcBase, dstBase, first, dstFirst, inner, srcInner, dstInner) => {
    const d2 = 2 * dstInner;
    const d3 = 3 * dstInner;
    let j = 0;
    for (; j + 3 < inner; j += 4) {
      const s0 = srcBase + j * srcInner;
      const s1 = s0 + srcInner;
      const s2 = s1 + srcInner;
      const s3 = s2 + srcInner;
      for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) {
        out[o] = (src[s0 + x] as number) * slope + inter;
        out[o + dstInner] = (src[s1 + x] as number) * slope + inter;
        out[o + d2] = (src[s2 + x] as number) * slope + inter;
        out[o + d3] = (src[s3 + x] as number) * slope + inter;
      }
    }
    for (; j < inner; j++) {
      const s0 = srcBase + j * srcInner;
      for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) out[o] = (src[s0 + x] as number) * slope + inter;
    }
  };
}

/** The float32 constants of DeepReg's normalisation for `range` (as `normalize` computes them). */
function normalizeConstants(range: ValueRange): { lo: number; eps: number; denominator: number } {
  const fround = Math.fround;
  const eps = fround(EPS);
  const lo = fround(range.min);
  return { lo, eps, denominator: fround(fround(fround(range.max) - lo) + eps) };
}

/** {@link Panel} writing `(v - lo + eps) / denominator` in float32 steps (see `normalize`). */
type NormalizedPanel = (
  src: ArrayLike<number>,
  out: Float32Array,
  srcBase: number,
  dstBase: number,
  first: number,
  dstFirst: number,
  inner: number,
  srcInner: number,
  dstInner: number,
  lo: number,
  eps: number,
  denominator: number,
) => void;

// One copy per source type, as for the plain panels. Integer and float32 values are float32
// already; `fround` converts the rest (float64) as the float32 volume would hold them.

const normalizedUint8: NormalizedPanel = (src, out, srcBase, dstBase, first, dstFirst, inner, srcInner, dstInner, lo, eps, den) => {
  const v = src as Uint8Array;
  const fround = Math.fround;
  const d2 = 2 * dstInner;
  const d3 = 3 * dstInner;
  let j = 0;
  for (; j + 3 < inner; j += 4) {
    const s0 = srcBase + j * srcInner;
    const s1 = s0 + srcInner;
    const s2 = s1 + srcInner;
    const s3 = s2 + srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) {
      out[o] = fround(fround((v[s0 + x] as number) - lo) + eps) / den;
      out[o + dstInner] = fround(fround((v[s1 + x] as number) - lo) + eps) / den;
      out[o + d2] = fround(fround((v[s2 + x] as number) - lo) + eps) / den;
      out[o + d3] = fround(fround((v[s3 + x] as number) - lo) + eps) / den;
    }
  }
  for (; j < inner; j++) {
    const s0 = srcBase + j * srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) out[o] = fround(fround((v[s0 + x] as number) - lo) + eps) / den;
  }
};

const normalizedInt16: NormalizedPanel = (src, out, srcBase, dstBase, first, dstFirst, inner, srcInner, dstInner, lo, eps, den) => {
  const v = src as Int16Array;
  const fround = Math.fround;
  const d2 = 2 * dstInner;
  const d3 = 3 * dstInner;
  let j = 0;
  for (; j + 3 < inner; j += 4) {
    const s0 = srcBase + j * srcInner;
    const s1 = s0 + srcInner;
    const s2 = s1 + srcInner;
    const s3 = s2 + srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) {
      out[o] = fround(fround((v[s0 + x] as number) - lo) + eps) / den;
      out[o + dstInner] = fround(fround((v[s1 + x] as number) - lo) + eps) / den;
      out[o + d2] = fround(fround((v[s2 + x] as number) - lo) + eps) / den;
      out[o + d3] = fround(fround((v[s3 + x] as number) - lo) + eps) / den;
    }
  }
  for (; j < inner; j++) {
    const s0 = srcBase + j * srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) out[o] = fround(fround((v[s0 + x] as number) - lo) + eps) / den;
  }
};

const normalizedFloat32: NormalizedPanel = (src, out, srcBase, dstBase, first, dstFirst, inner, srcInner, dstInner, lo, eps, den) => {
  const v = src as Float32Array;
  const fround = Math.fround;
  const d2 = 2 * dstInner;
  const d3 = 3 * dstInner;
  let j = 0;
  for (; j + 3 < inner; j += 4) {
    const s0 = srcBase + j * srcInner;
    const s1 = s0 + srcInner;
    const s2 = s1 + srcInner;
    const s3 = s2 + srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) {
      out[o] = fround(fround((v[s0 + x] as number) - lo) + eps) / den;
      out[o + dstInner] = fround(fround((v[s1 + x] as number) - lo) + eps) / den;
      out[o + d2] = fround(fround((v[s2 + x] as number) - lo) + eps) / den;
      out[o + d3] = fround(fround((v[s3 + x] as number) - lo) + eps) / den;
    }
  }
  for (; j < inner; j++) {
    const s0 = srcBase + j * srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) out[o] = fround(fround((v[s0 + x] as number) - lo) + eps) / den;
  }
};

const normalizedAny: NormalizedPanel = (src, out, srcBase, dstBase, first, dstFirst, inner, srcInner, dstInner, lo, eps, den) => {
  const fround = Math.fround;
  const d2 = 2 * dstInner;
  const d3 = 3 * dstInner;
  let j = 0;
  for (; j + 3 < inner; j += 4) {
    const s0 = srcBase + j * srcInner;
    const s1 = s0 + srcInner;
    const s2 = s1 + srcInner;
    const s3 = s2 + srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) {
      out[o] = fround(fround(fround(src[s0 + x] as number) - lo) + eps) / den;
      out[o + dstInner] = fround(fround(fround(src[s1 + x] as number) - lo) + eps) / den;
      out[o + d2] = fround(fround(fround(src[s2 + x] as number) - lo) + eps) / den;
      out[o + d3] = fround(fround(fround(src[s3 + x] as number) - lo) + eps) / den;
    }
  }
  for (; j < inner; j++) {
    const s0 = srcBase + j * srcInner;
    for (let x = 0, o = dstBase + j * dstInner; x < first; x++, o += dstFirst) out[o] = fround(fround(fround(src[s0 + x] as number) - lo) + eps) / den;
  }
};

function normalizedPanelFor(source: ArrayLike<number>): NormalizedPanel {
  if (source instanceof Int16Array) return normalizedInt16;
  if (source instanceof Uint8Array) return normalizedUint8;
  if (source instanceof Float32Array) return normalizedFloat32;
  return normalizedAny;
}
