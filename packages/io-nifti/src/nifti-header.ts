import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { DType } from "@deepreg-loader/core";
import { baseAffine, qformAffine } from "./affine.js";
import type { Affine } from "./affine.js";
import { dtypeOfCode, unsupportedDatatypeName } from "./datatypes.js";
import { isGzip } from "./gzip-magic.js";

/** What a NIfTI-1/2 header says, decoded without touching the voxels. */
export interface NiftiHeader {
  /** 1 for NIfTI-1 (348-byte header), 2 for NIfTI-2 (540 bytes). */
  version: 1 | 2;
  /** Byte order of the file. */
  littleEndian: boolean;
  /** `dim[1..dim[0]]`: nibabel's `img.shape` (axis 0 is x, the fastest axis on disk). */
  shape: number[];
  /** Element type on disk. */
  dtype: DType;
  /** The raw NIfTI `datatype` code. */
  datatypeCode: number;
  /** Voxel size per axis, `pixdim[1..dim[0]]` (nibabel's `get_zooms()`). */
  pixdim: number[];
  /** 4x4 voxel-to-world affine (rows), nibabel's `get_best_affine()`: sform, else qform, else base. */
  affine: Affine;
  /** Which transform `affine` comes from. */
  affineSource: "sform" | "qform" | "base";
  /** Raw `sform_code` (0: no sform; 1-4: its meaning, as in the NIfTI standard). */
  sformCode: number;
  /** Raw `qform_code` (0: no qform; 1-4: its meaning, as in the NIfTI standard). */
  qformCode: number;
  /** Raw `scl_slope`; 0 or non-finite means no scaling. */
  sclSlope: number;
  /** Raw `scl_inter`. */
  sclInter: number;
  /** Byte offset of the first voxel (`vox_offset`, an integer). */
  voxOffset: number;
  /** Bytes of the header proper (348 or 540). */
  headerBytes: number;
  /** `descrip`, up to the first NUL. */
  description: string;
}

/** Options of {@link decodeNiftiHeader}. */
export interface DecodeNiftiHeaderOptions {
  /** Name used in error messages. Default `"<bytes>"`. */
  file?: string;
}

const FLOAT32_EPS = 2 ** -23;

/** The name of the input in error messages. */
export function inputLabel(file: string | undefined): string {
  return file ?? "<bytes>";
}

/** A view on the bytes of an `ArrayBuffer` or `Uint8Array` (shares memory). */
export function asBytes(input: Uint8Array | ArrayBufferLike): Uint8Array {
  return input instanceof Uint8Array ? input : new Uint8Array(input);
}

/**
 * Decode a NIfTI-1 or NIfTI-2 header (either byte order) from the first bytes of an
 * uncompressed `.nii` (348 bytes are enough for NIfTI-1, 540 for NIfTI-2). Browser-safe.
 *
 * Throws `EMPTY` (no bytes), `NOT_NIFTI` (gzip bytes, wrong `sizeof_hdr` or magic, or a
 * `.hdr/.img` pair header), `TRUNCATED` (fewer bytes than the header), `BAD_HEADER` (`dim[0]`
 * outside 1..7, a dimension < 1, `vox_offset` inside the header, invalid quaternion,
 * finite slope with non-finite intercept), `UNSUPPORTED_DTYPE` (complex, RGB, ...).
 */
export function decodeNiftiHeader(
  input: Uint8Array | ArrayBufferLike,
  options: DecodeNiftiHeaderOptions = {},
): NiftiHeader {
  const bytes = asBytes(input);
  const file = options.file;
  const name = inputLabel(file);
  const fail = (code: ConstructorParameters<typeof DeepRegLoaderError>[0], message: string): never => {
    throw new DeepRegLoaderError(code, `${name}: ${message}`, { file });
  };
  if (bytes.length === 0) fail("EMPTY", "no bytes (empty file)");
  if (isGzip(bytes)) {
    fail("NOT_NIFTI", "the bytes are gzip-compressed; inflate them first (readNifti does)");
  }
  if (bytes.length < 4) {
    fail("TRUNCATED", `ends after ${bytes.length} bytes, inside the NIfTI header (348 or 540 bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = view.getInt32(0, true);
  const be = view.getInt32(0, false);
  let version: 1 | 2;
  let littleEndian: boolean;
  if (le === 348 || le === 540) {
    version = le === 348 ? 1 : 2;
    littleEndian = true;
  } else if (be === 348 || be === 540) {
    version = be === 348 ? 1 : 2;
    littleEndian = false;
  } else {
    return fail("NOT_NIFTI", `not a NIfTI file: expected sizeof_hdr 348 (NIfTI-1) or 540 (NIfTI-2), found ${le}`);
  }
  const headerBytes = version === 1 ? 348 : 540;
  if (bytes.length < headerBytes) {
    fail("TRUNCATED", `ends after ${bytes.length} bytes, inside the ${headerBytes}-byte NIfTI-${version} header`);
  }

  const magicOffset = version === 1 ? 344 : 4;
  const magic = String.fromCharCode(...bytes.subarray(magicOffset, magicOffset + 4));
  if (magic !== `n+${version}\0`) {
    const shown = JSON.stringify(magic.replace(/\0+$/, ""));
    const pair = magic === `ni${version}\0` ? " (a .hdr/.img pair header; only single-file .nii is read)" : "";
    fail("NOT_NIFTI", `not a NIfTI-${version} file: expected magic "n+${version}", found ${shown}${pair}`);
  }

  const i16 = (o: number): number => view.getInt16(o, littleEndian);
  const i32 = (o: number): number => view.getInt32(o, littleEndian);
  const f32 = (o: number): number => view.getFloat32(o, littleEndian);
  const f64 = (o: number): number => view.getFloat64(o, littleEndian);
  const i64 = (o: number): number => Number(view.getBigInt64(o, littleEndian));
  const v1 = version === 1;
  const int = v1 ? (i: number): number => i16(40 + 2 * i) : (i: number): number => i64(16 + 8 * i);
  const real = v1 ? f32 : f64;

  const ndim = int(0);
  if (!(ndim >= 1 && ndim <= 7)) fail("BAD_HEADER", `dim[0] is ${ndim}, expected 1..7`);
  const shape: number[] = [];
  for (let i = 1; i <= ndim; i++) shape.push(int(i));
  if (shape.some((d) => !(d >= 1) || !Number.isSafeInteger(d))) {
    fail("BAD_HEADER", `dims [${shape.join(", ")}] must all be >= 1`);
  }

  const datatypeCode = v1 ? i16(70) : i16(12);
  const dtype = dtypeOfCode(datatypeCode);
  if (dtype === undefined) {
    return fail(
      "UNSUPPORTED_DTYPE",
      `datatype ${unsupportedDatatypeName(datatypeCode)} is not supported; expected uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32 or float64`,
    );
  }

  // pixdim, fixed as nibabel's check_fix does on load: qfac not +-1 -> 1, pixdim[1..3]
  // zero -> 1, negative -> absolute value.
  const rawPixdim: number[] = [];
  for (let i = 0; i < 8; i++) rawPixdim.push(v1 ? f32(76 + 4 * i) : f64(104 + 8 * i));
  const qfac = rawPixdim[0] === -1 ? -1 : 1;
  for (let i = 1; i <= 3; i++) {
    const p = rawPixdim[i] as number;
    rawPixdim[i] = p === 0 ? 1 : Math.abs(p);
  }
  const pixdim = rawPixdim.slice(1, ndim + 1);

  const rawVoxOffset = v1 ? f32(108) : i64(168);
  const voxOffset = Math.trunc(rawVoxOffset);
  if (!(voxOffset >= headerBytes + 4) || !Number.isSafeInteger(voxOffset)) {
    fail("BAD_HEADER", `vox_offset ${rawVoxOffset} points inside the header; expected >= ${headerBytes + 4}`);
  }
  const sclSlope = v1 ? f32(112) : f64(176);
  const sclInter = v1 ? f32(116) : f64(184);
  if (sclSlope !== 0 && Number.isFinite(sclSlope) && !Number.isFinite(sclInter)) {
    fail("BAD_HEADER", `scl_slope is ${sclSlope} but scl_inter is ${sclInter}; expected a finite intercept`);
  }

  const qformCode = v1 ? i16(252) : i32(344);
  const sformCode = v1 ? i16(254) : i32(348);
  const q0 = v1 ? 256 : 352;
  const s0 = v1 ? 280 : 400;
  const step = v1 ? 4 : 8;
  let affine: Affine;
  let affineSource: NiftiHeader["affineSource"];
  if (sformCode !== 0) {
    affine = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => real(s0 + (4 * r + c) * step)));
    affine.push([0, 0, 0, 1]);
    affineSource = "sform";
  } else if (qformCode !== 0) {
    const quatern = [0, 1, 2].map((i) => real(q0 + i * step)) as [number, number, number];
    const offset = [3, 4, 5].map((i) => real(q0 + i * step)) as [number, number, number];
    const zooms = rawPixdim.slice(1, 4) as [number, number, number];
    const threshold = 3 * (v1 ? FLOAT32_EPS : Number.EPSILON);
    const q = qformAffine(quatern, zooms, qfac, offset, threshold);
    if (q === undefined) {
      return fail("BAD_HEADER", `quaternion (${quatern.join(", ")}) has norm > 1; expected a unit quaternion's b, c, d`);
    }
    affine = q;
    affineSource = "qform";
  } else {
    affine = baseAffine(shape, pixdim);
    affineSource = "base";
  }

  const descripOffset = v1 ? 148 : 240;
  const descrip = bytes.subarray(descripOffset, descripOffset + 80);
  const end = descrip.indexOf(0);
  const description = new TextDecoder().decode(end < 0 ? descrip : descrip.subarray(0, end));

  return {
    version,
    littleEndian,
    shape,
    dtype,
    datatypeCode,
    pixdim,
    affine,
    affineSource,
    sformCode,
    qformCode,
    sclSlope,
    sclInter,
    voxOffset,
    headerBytes,
    description,
  };
}
