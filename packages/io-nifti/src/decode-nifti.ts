import { DEFAULT_MAX_BYTES, DeepRegLoaderError, DTYPE_BYTES, bigintToFloat32, createVolume, shapeSize } from "@deepreg-loader/core";
import type { DType, Volume } from "@deepreg-loader/core";
import { columnMajorToRowMajor } from "@deepreg-loader/volume-ops";
import { asBytes, decodeNiftiHeader, inputLabel } from "./nifti-header.js";
import type { NiftiHeader } from "./nifti-header.js";

/** Default cap on the decoded volume: 2^31 bytes of float32 (2^29 voxels, e.g. 812^3); the one in `@deepreg-loader/core`. */
export { DEFAULT_MAX_BYTES };

/** Options of {@link decodeNifti} (and of the path readers). */
export interface DecodeNiftiOptions {
  /** Name used in error messages. Default `"<bytes>"` (the path readers pass the path). */
  file?: string;
  /**
   * Largest decoded volume, in bytes of float32 output; a header declaring more fails with
   * `TOO_LARGE` before anything is allocated. Default {@link DEFAULT_MAX_BYTES} (2 GiB).
   */
  maxBytes?: number;
  /**
   * Decode only `[..., channel]` of a 4D file (one channel of a DeepReg label) as a 3D volume
   * `[d1, d2, d3]`: the other channels are never converted. A 3D file has one channel, 0.
   * `INVALID_ARGUMENT` when out of range or the file is neither 3D nor 4D. Default: every voxel.
   */
  channel?: number;
}

/**
 * Decode an uncompressed NIfTI-1/2 file (`.nii` bytes) into a row-major float32 `Volume`
 * whose shape and values equal nibabel's `np.asarray(img.dataobj, dtype=np.float32)`:
 * voxels read at `vox_offset` in the file's byte order, scaled by `scl_slope`/`scl_inter`
 * unless the slope is 0 or non-finite (computed in float64, rounded once to float32), and
 * reordered from NIfTI's x-fastest order. Browser-safe (no Node APIs).
 *
 * Throws what {@link decodeNiftiHeader} throws, plus `TOO_LARGE` (over `maxBytes`) and
 * `TRUNCATED` (fewer bytes than `vox_offset` + the voxels the header declares).
 */
export function decodeNifti(input: Uint8Array | ArrayBufferLike, options: DecodeNiftiOptions = {}): Volume {
  const bytes = asBytes(input);
  const header = decodeNiftiHeader(bytes, { file: options.file });
  return decodeNiftiVoxels(bytes, header, options);
}

/** Largest `vox_offset` read (header extensions up to 64 MiB), so that memory follows the declared volume. */
export const MAX_VOX_OFFSET = 2 ** 26;

/**
 * The bytes of a file that a read needs, `vox_offset` + the declared voxels, after checking
 * from the header alone (before reading anything) that the float32 output fits in `maxBytes`
 * (`TOO_LARGE`), that the channel exists (`INVALID_ARGUMENT`), that `vox_offset` is at most
 * {@link MAX_VOX_OFFSET} and the file at most `2 * maxBytes + 64 MiB` (`TOO_LARGE`).
 */
export function neededBytes(header: NiftiHeader, options: DecodeNiftiOptions = {}): number {
  return declaredPart(header, options).needed;
}

function declaredPart(
  header: NiftiHeader,
  options: DecodeNiftiOptions,
): { part: { shape: number[]; start: number; count: number }; needed: number } {
  const { file, maxBytes = DEFAULT_MAX_BYTES, channel } = options;
  const name = inputLabel(file);
  const { shape, dtype, voxOffset } = header;
  const count = shapeSize(shape);
  const part = channel === undefined ? { shape, start: 0, count } : channelPart(shape, channel, name, file);
  const outBytes = part.count * 4;
  if (outBytes > maxBytes) {
    throw new DeepRegLoaderError(
      "TOO_LARGE",
      `${name}: header declares shape [${shape.join(", ")}] (${count} voxels, ${formatBytes(outBytes)} as float32${channel === undefined ? "" : ` for channel ${channel}`}); the limit is ${formatBytes(maxBytes)} (maxBytes)`,
      { file, details: { shape, maxBytes } },
    );
  }
  if (voxOffset > MAX_VOX_OFFSET) {
    throw new DeepRegLoaderError(
      "TOO_LARGE",
      `${name}: vox_offset ${voxOffset} puts ${formatBytes(voxOffset)} of header extensions before the voxels; the limit is ${formatBytes(MAX_VOX_OFFSET)}`,
      { file, details: { voxOffset, limit: MAX_VOX_OFFSET } },
    );
  }
  const needed = voxOffset + count * DTYPE_BYTES[dtype];
  const fileLimit = 2 * maxBytes + MAX_VOX_OFFSET;
  if (needed > fileLimit) {
    throw new DeepRegLoaderError(
      "TOO_LARGE",
      `${name}: header declares ${dtype} shape [${shape.join(", ")}] (${formatBytes(needed)} with the header); the limit for a read of ${formatBytes(maxBytes)} (maxBytes) is ${formatBytes(fileLimit)}`,
      { file, details: { shape, maxBytes, neededBytes: needed } },
    );
  }
  return { part, needed };
}

/**
 * The voxels of a NIfTI file as stored: `values` in NIfTI's column-major order (x fastest) in
 * host byte order, with the `shape` they have (one channel's `[d1, d2, d3]` with `channel`) and
 * the scaling to apply (`scale` undefined when there is none). `columnMajorToRowMajor(values,
 * shape, scale)` gives exactly `decodeNifti`'s volume; a caller that normalises can fuse that
 * into the same pass (its `normalize` option) instead.
 */
export interface RawNiftiVoxels {
  /** The stored voxels, column-major (x fastest), in host byte order, in the file's dtype. */
  values: ArrayLike<number>;
  /** The shape of `values` (nibabel's `img.shape`, or one channel's `[d1, d2, d3]`). */
  shape: number[];
  /** `scl_slope`/`scl_inter` to apply, or undefined when the file has no scaling. */
  scale:
    | {
        /** Multiplier `scl_slope`. */
        slope: number;
        /** Offset `scl_inter`, added after the multiplication. */
        inter: number;
      }
    | undefined;
}

/**
 * Internal (the Node readers): `packed` says the bytes hold the header (up to `vox_offset`)
 * followed by only the voxels of `channel` (a channel inflated alone), not the whole volume.
 */
export interface PackedDecodeOptions extends DecodeNiftiOptions {
  packed?: boolean;
}

/** Decode the voxels of `bytes` described by an already decoded `header`. */
export function decodeNiftiVoxels(
  bytes: Uint8Array,
  header: NiftiHeader,
  options: PackedDecodeOptions = {},
): Volume {
  const { values, shape, scale } = rawNiftiVoxels(bytes, header, options);
  return createVolume(columnMajorToRowMajor(values, shape, scale ?? {}), shape);
}

/**
 * {@link decodeNifti} without the reorder to row-major (nor the scaling): the stored voxels,
 * for a caller that converts them in one pass with more work (e.g. normalisation). Same
 * options and errors.
 */
export function decodeNiftiRaw(input: Uint8Array | ArrayBufferLike, options: DecodeNiftiOptions = {}): RawNiftiVoxels {
  const bytes = asBytes(input);
  const header = decodeNiftiHeader(bytes, { file: options.file });
  return rawNiftiVoxels(bytes, header, options);
}

function rawNiftiVoxels(bytes: Uint8Array, header: NiftiHeader, options: PackedDecodeOptions): RawNiftiVoxels {
  const { file } = options;
  const name = inputLabel(file);
  const { shape, dtype, voxOffset } = header;
  const declared = declaredPart(header, options);
  const { part } = declared;
  // Packed: the channel's voxels sit right after vox_offset (the others were never inflated).
  const packed = options.packed === true && options.channel !== undefined;
  const needed = packed ? voxOffset + part.count * DTYPE_BYTES[dtype] : declared.needed;
  if (bytes.length < needed) {
    throw new DeepRegLoaderError(
      "TRUNCATED",
      `${name}: header declares ${dtype} shape [${shape.join(", ")}] at offset ${voxOffset} (${needed} bytes), found ${bytes.length} bytes`,
      { file, details: { expectedBytes: needed, foundBytes: bytes.length } },
    );
  }
  checkExtensions(bytes, header, name, file);
  const slope = header.sclSlope;
  const scaled = slope !== 0 && Number.isFinite(slope) && !(slope === 1 && header.sclInter === 0);
  const offset = voxOffset + (packed ? 0 : part.start) * DTYPE_BYTES[dtype];
  const values = voxelValues(bytes, offset, dtype, part.count, header.littleEndian, scaled);
  return { values, shape: [...part.shape], scale: scaled ? { slope, inter: header.sclInter } : undefined };
}

/**
 * `BAD_HEADER` when `vox_offset` points inside the header extensions. When the extension flag
 * (the 4 bytes after the header) is set, extensions `[esize, ecode, data]` follow it up to
 * `vox_offset`, walked as nibabel does (while 16 bytes or more remain); each must be at least
 * 8 bytes and end at or before `vox_offset`. Without the flag there are no extensions.
 */
function checkExtensions(bytes: Uint8Array, header: NiftiHeader, name: string, file: string | undefined): void {
  const { headerBytes, voxOffset, littleEndian } = header;
  if (bytes[headerBytes] === 0) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = headerBytes + 4;
  while (voxOffset - at >= 16) {
    const esize = view.getInt32(at, littleEndian);
    if (esize < 8 || at + esize > voxOffset) {
      const why = esize < 8 ? `has size ${esize} (at least 8 expected)` : `of ${esize} bytes ends at byte ${at + esize}`;
      throw new DeepRegLoaderError(
        "BAD_HEADER",
        `${name}: the header extension at byte ${at} ${why}, but vox_offset is ${voxOffset}: vox_offset points inside the header extensions`,
        { file, details: { voxOffset, extensionOffset: at, extensionSize: esize } },
      );
    }
    at += esize;
  }
}

/**
 * The voxels of one channel (index along the 4th axis) of a 3D or 4D shape: in NIfTI's
 * x-fastest order they are one contiguous run of `d1 * d2 * d3` voxels.
 */
function channelPart(
  shape: readonly number[],
  channel: number,
  name: string,
  file: string | undefined,
): { shape: number[]; start: number; count: number } {
  const channels = shape.length === 4 ? (shape[3] as number) : shape.length === 3 ? 1 : 0;
  if (channels === 0) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `${name}: a channel can be read from a 3D or 4D image, found shape [${shape.join(", ")}]`,
      { file, details: { shape: [...shape], channel } },
    );
  }
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `${name}: channel ${channel} is out of range for shape [${shape.join(", ")}] (${channels} channel${channels === 1 ? "" : "s"})`,
      { file, details: { shape: [...shape], channel, channels } },
    );
  }
  const spatial = shape.slice(0, 3);
  const count = shapeSize(spatial);
  return { shape: spatial, start: channel * count, count };
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type View = (buffer: ArrayBufferLike, offset: number, count: number) => ArrayLike<number> | BigInt64Array | BigUint64Array;

/** A typed-array view of each dtype (host byte order). */
const VIEW_OF: Readonly<Record<DType, View>> = {
  uint8: (b, o, n) => new Uint8Array(b, o, n),
  int8: (b, o, n) => new Int8Array(b, o, n),
  uint16: (b, o, n) => new Uint16Array(b, o, n),
  int16: (b, o, n) => new Int16Array(b, o, n),
  uint32: (b, o, n) => new Uint32Array(b, o, n),
  int32: (b, o, n) => new Int32Array(b, o, n),
  uint64: (b, o, n) => new BigUint64Array(b, o, n),
  int64: (b, o, n) => new BigInt64Array(b, o, n),
  float32: (b, o, n) => new Float32Array(b, o, n),
  float64: (b, o, n) => new Float64Array(b, o, n),
};

/**
 * The voxels in file order as numbers: a view on `bytes` when aligned and in host byte order,
 * else a copy (byte-swapped when needed). 64-bit integers become a Float64Array: exact numbers
 * when scaled (numpy multiplies in float64), float32-exact values when not (numpy casts
 * int64 -> float32 directly, so we round once, not twice).
 */
function voxelValues(
  bytes: Uint8Array,
  offset: number,
  dtype: DType,
  count: number,
  littleEndian: boolean,
  scaled: boolean,
): ArrayLike<number> {
  const size = DTYPE_BYTES[dtype];
  const start = bytes.byteOffset + offset;
  const swap = size > 1 && littleEndian !== HOST_LITTLE_ENDIAN;
  let buffer: ArrayBufferLike = bytes.buffer;
  let byteOffset = start;
  if (swap || start % size !== 0) {
    // A fresh copy (not `bytes.slice`: on a Node Buffer that is a view, not a copy).
    const copy = new Uint8Array(count * size);
    copy.set(bytes.subarray(offset, offset + count * size));
    if (swap) swapBytes(copy, size);
    buffer = copy.buffer;
    byteOffset = 0;
  }
  const values = VIEW_OF[dtype](buffer, byteOffset, count);
  if (!(values instanceof BigInt64Array || values instanceof BigUint64Array)) return values;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i] as bigint;
    out[i] = scaled ? Number(v) : bigintToFloat32(v);
  }
  return out;
}

/** Reverse the bytes of every `size`-byte element in place. */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a] as number;
      bytes[a] = bytes[b] as number;
      bytes[b] = t;
    }
  }
}


function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${+(n / 2 ** 30).toPrecision(4)} GiB`;
  if (n >= 2 ** 20) return `${+(n / 2 ** 20).toPrecision(4)} MiB`;
  return `${n} bytes`;
}
