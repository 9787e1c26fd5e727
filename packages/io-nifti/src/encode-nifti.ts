import { DeepRegLoaderError, DTYPE_BYTES, DTYPES, shapeSize } from "@deepreg-loader/core";
import type { DType, Volume, VolumeData } from "@deepreg-loader/core";
import { columnMajorToRowMajor } from "@deepreg-loader/volume-ops";
import { diagonalAffine, qformOfAffine } from "./affine.js";
import type { Affine } from "./affine.js";
import { NIFTI_DATATYPE } from "./datatypes.js";

/** Options of {@link encodeNifti} and `writeNifti`. */
export interface EncodeNiftiOptions {
  /**
   * 4x4 voxel-to-world affine (rows), stored as the sform and, when it has no shears, as the
   * qform too. Default: voxel sizes (`pixdim`) on the diagonal, origin 0.
   */
  affine?: number[][];
  /** Element type on disk. Default `float32`. Integer types need integer values in range. */
  dtype?: DType;
  /**
   * Voxel size per axis. Default 1. For the first three axes the affine's column lengths win
   * when an affine is given (as nibabel's `set_qform` does).
   */
  pixdim?: number[];
  /** `sform_code`. Default 2 (aligned), as nibabel writes. */
  sformCode?: number;
  /** `qform_code`. Default 2 (aligned), or 0 when the affine has shears a quaternion cannot hold. */
  qformCode?: number;
  /** NIfTI-1 (348-byte header) or NIfTI-2 (540 bytes). Default 1. */
  version?: 1 | 2;
  /** Byte order. Default true (little-endian). */
  littleEndian?: boolean;
  /** `descrip` (up to 79 bytes of UTF-8). Default empty. */
  description?: string;
}

const MAX_SIZE_V1 = 32767;

const INT_RANGE: Partial<Record<DType, readonly [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
  uint64: [0, 2 ** 64],
  int64: [-(2 ** 63), 2 ** 63],
};

/**
 * Encode a row-major volume as an uncompressed single-file NIfTI (`.nii` bytes): header,
 * 4 zero extension bytes, voxels in NIfTI's x-fastest order at `vox_offset` 352 (NIfTI-1) or
 * 544 (NIfTI-2), `scl_slope` 1 / `scl_inter` 0. Browser-safe. What it encodes decodes back to
 * the same values (integer dtypes: only integers in range are accepted).
 *
 * Throws `INVALID_ARGUMENT` for a bad option, a shape that is not 1..7 axes of length >= 1
 * (NIfTI-1: <= 32767), a volume that is not contiguous row-major, or a value the dtype cannot
 * hold exactly; `SHAPE` when data and shape disagree.
 */
export function encodeNifti(volume: Volume | VolumeData, options: EncodeNiftiOptions = {}): Uint8Array {
  return encodeNiftiFile(undefined, volume, options);
}

/** {@link encodeNifti} with the target file named in error messages (used by `writeNifti`). */
export function encodeNiftiFile(
  file: string | undefined,
  volume: Volume | VolumeData,
  options: EncodeNiftiOptions = {},
): Uint8Array {
  const name = file ?? "encodeNifti";
  const invalid = (message: string): never => {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", `${name}: ${message}`, { file });
  };
  const { dtype = "float32", version = 1, littleEndian = true, description = "" } = options;
  if (!DTYPES.includes(dtype)) invalid(`dtype ${JSON.stringify(dtype)} is not one of ${DTYPES.join(", ")}`);
  if (version !== 1 && version !== 2) invalid(`version must be 1 or 2, found ${String(version)}`);

  const shape = [...volume.shape];
  const data = volume.data;
  if (!(data instanceof Float32Array)) invalid("volume.data must be a Float32Array");
  if ("stride" in volume && !isRowMajor(volume)) {
    invalid("the volume must be contiguous row-major with offset 0 (see docs/conventions.md)");
  }
  if (shape.length < 1 || shape.length > 7) invalid(`shape [${shape.join(", ")}] must have 1 to 7 axes`);
  if (shape.some((d) => !Number.isInteger(d) || d < 1)) invalid(`shape [${shape.join(", ")}] must have lengths >= 1`);
  if (version === 1 && shape.some((d) => d > MAX_SIZE_V1)) {
    invalid(`shape [${shape.join(", ")}] has an axis longer than ${MAX_SIZE_V1}, which NIfTI-1 cannot store; use version 2`);
  }
  const count = shapeSize(shape);
  if (data.length !== count) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `${name}: volume has ${data.length} values, shape [${shape.join(", ")}] needs ${count}`,
      { file },
    );
  }

  const pixdim = shape.map((_, i) => options.pixdim?.[i] ?? 1);
  if (options.pixdim !== undefined && options.pixdim.some((p) => !Number.isFinite(p) || p <= 0)) {
    invalid(`pixdim [${options.pixdim.join(", ")}] must be finite and > 0`);
  }
  const affine: Affine = options.affine ?? diagonalAffine(pixdim);
  if (
    affine.length !== 4 ||
    affine.some((row) => row.length !== 4 || row.some((v) => !Number.isFinite(v)))
  ) {
    invalid("affine must be a 4x4 array of finite numbers (rows)");
  }
  const qform = qformOfAffine(affine);
  if (qform !== undefined) {
    for (let i = 0; i < Math.min(3, pixdim.length); i++) pixdim[i] = qform.zooms[i] as number;
  }
  const sformCode = options.sformCode ?? 2;
  const qformCode = options.qformCode ?? (qform?.exact ? 2 : 0);

  // Voxels: a row-major [a, b, c] array is a column-major [c, b, a] one, so the reorder
  // helper run on the reversed shape yields NIfTI's x-fastest order.
  const columnMajor = columnMajorToRowMajor(data, [...shape].reverse());

  const v1 = version === 1;
  const headerBytes = v1 ? 348 : 540;
  const voxOffset = headerBytes + 4;
  const size = DTYPE_BYTES[dtype];
  const out = new Uint8Array(voxOffset + count * size);
  const view = new DataView(out.buffer);
  const i16 = (o: number, v: number): void => view.setInt16(o, v, littleEndian);
  const i32 = (o: number, v: number): void => view.setInt32(o, v, littleEndian);
  const i64 = (o: number, v: number): void => view.setBigInt64(o, BigInt(v), littleEndian);
  const real = v1
    ? (o: number, v: number): void => view.setFloat32(o, v, littleEndian)
    : (o: number, v: number): void => view.setFloat64(o, v, littleEndian);
  const step = v1 ? 4 : 8;

  i32(0, headerBytes);
  const dims = [shape.length, ...shape, ...new Array<number>(7 - shape.length).fill(1)];
  const pixdims = [qform?.qfac ?? 1, ...pixdim, ...new Array<number>(7 - pixdim.length).fill(1)];
  for (let i = 0; i < 8; i++) {
    if (v1) i16(40 + 2 * i, dims[i] as number);
    else i64(16 + 8 * i, dims[i] as number);
    real((v1 ? 76 : 104) + step * i, pixdims[i] as number);
  }
  i16(v1 ? 70 : 12, NIFTI_DATATYPE[dtype]);
  i16(v1 ? 72 : 14, size * 8);
  if (v1) real(108, voxOffset);
  else i64(168, voxOffset);
  real(v1 ? 112 : 176, 1); // scl_slope
  real(v1 ? 116 : 184, 0); // scl_inter
  const units = 2; // NIFTI_UNITS_MM
  if (v1) out[123] = units;
  else i32(500, units);
  const descrip = new TextEncoder().encode(description).subarray(0, 79);
  out.set(descrip, v1 ? 148 : 240);

  if (v1) {
    i16(252, qformCode);
    i16(254, sformCode);
  } else {
    i32(344, qformCode);
    i32(348, sformCode);
  }
  const q0 = v1 ? 256 : 352;
  if (qform !== undefined) {
    const q = [qform.quaternB, qform.quaternC, qform.quaternD, ...qform.offset];
    q.forEach((v, i) => real(q0 + i * step, v));
  }
  const s0 = v1 ? 280 : 400;
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) real(s0 + (4 * r + c) * step, affine[r]?.[c] as number);
  }
  const magic = v1 ? "n+1\0" : "n+2\0\r\n\x1a\n";
  for (let i = 0; i < magic.length; i++) out[(v1 ? 344 : 4) + i] = magic.charCodeAt(i);

  writeVoxels(view, voxOffset, columnMajor, dtype, littleEndian, name, file);
  return out;
}

function isRowMajor(volume: Volume | VolumeData): boolean {
  const v = volume as Volume;
  if (v.offset !== 0) return false;
  let expected = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if ((v.shape[i] as number) > 1 && v.stride[i] !== expected) return false;
    expected *= v.shape[i] as number;
  }
  return true;
}

function writeVoxels(
  view: DataView,
  offset: number,
  values: Float32Array,
  dtype: DType,
  littleEndian: boolean,
  name: string,
  file: string | undefined,
): void {
  const range = INT_RANGE[dtype];
  if (range !== undefined) {
    const [lo, hi] = range;
    const wide = dtype === "int64" || dtype === "uint64";
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (!Number.isInteger(v) || v < lo || (wide ? v >= hi : v > hi)) {
        throw new DeepRegLoaderError(
          "INVALID_ARGUMENT",
          `${name}: cannot store ${v} (value ${i} in NIfTI order) as ${dtype}; expected integers in [${lo}, ${wide ? `${hi})` : `${hi}]`}`,
          { file, details: { dtype, value: v } },
        );
      }
    }
  }
  const n = values.length;
  switch (dtype) {
    case "float32":
      for (let i = 0; i < n; i++) view.setFloat32(offset + 4 * i, values[i] as number, littleEndian);
      break;
    case "float64":
      for (let i = 0; i < n; i++) view.setFloat64(offset + 8 * i, values[i] as number, littleEndian);
      break;
    case "uint8":
      for (let i = 0; i < n; i++) view.setUint8(offset + i, values[i] as number);
      break;
    case "int8":
      for (let i = 0; i < n; i++) view.setInt8(offset + i, values[i] as number);
      break;
    case "uint16":
      for (let i = 0; i < n; i++) view.setUint16(offset + 2 * i, values[i] as number, littleEndian);
      break;
    case "int16":
      for (let i = 0; i < n; i++) view.setInt16(offset + 2 * i, values[i] as number, littleEndian);
      break;
    case "uint32":
      for (let i = 0; i < n; i++) view.setUint32(offset + 4 * i, values[i] as number, littleEndian);
      break;
    case "int32":
      for (let i = 0; i < n; i++) view.setInt32(offset + 4 * i, values[i] as number, littleEndian);
      break;
    case "uint64":
      for (let i = 0; i < n; i++) view.setBigUint64(offset + 8 * i, BigInt(values[i] as number), littleEndian);
      break;
    case "int64":
      for (let i = 0; i < n; i++) view.setBigInt64(offset + 8 * i, BigInt(values[i] as number), littleEndian);
      break;
  }
}
