// Path (and bytes) readers for Node: read the file, inflate `.nii.gz` with native zlib
// (sniffed by the `1f 8b` magic, never by the name), then decode with the browser-safe core.
import { readFileSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { DEFAULT_MAX_BYTES, decodeNifti, decodeNiftiRaw } from "./decode-nifti.js";
import type { DecodeNiftiOptions, RawNiftiVoxels } from "./decode-nifti.js";
import { gunzipAsync, gunzipPrefix, gunzipSyncChecked } from "./gunzip.js";
import { isGzip } from "./gzip-magic.js";
import { asBytes, decodeNiftiHeader, inputLabel } from "./nifti-header.js";
import type { NiftiHeader } from "./nifti-header.js";

/** A file path, or the bytes of a `.nii` / `.nii.gz` file. */
export type NiftiInput = string | Uint8Array | ArrayBufferLike;

/** Options of {@link readNifti} and {@link readNiftiSync}. */
export interface ReadNiftiOptions {
  /** Name used in error messages when the input is bytes. Default `"<bytes>"`. */
  file?: string;
  /** Largest volume in bytes of float32 output (`TOO_LARGE` beyond). Default 2^31 (2 GiB). */
  maxBytes?: number;
  /**
   * Read only `[..., channel]` of a 4D file (one channel of a DeepReg label) as a 3D volume;
   * the other channels are inflated but never converted. A 3D file has one channel, 0.
   * `INVALID_ARGUMENT` when out of range. Default: the whole volume.
   */
  channel?: number;
}

/** Options of {@link readNiftiHeader}. */
export interface ReadNiftiHeaderOptions {
  /** Name used in error messages when the input is bytes. Default `"<bytes>"`. */
  file?: string;
}

/**
 * Read a NIfTI-1/2 file (`.nii` or `.nii.gz`, decided by the bytes) into a row-major float32
 * `Volume` equal to nibabel's `np.asarray(nib.load(p).dataobj, dtype=np.float32)`.
 * Inflates with async `zlib.gunzip` on the libuv pool (`chunkSize` = the gzip size trailer).
 *
 * Throws `NOT_FOUND`, `EMPTY`, `READ_FAILED` (IO error, invalid gzip), `TRUNCATED` (gzip
 * stream or voxels end early), `TOO_LARGE`, and what {@link decodeNifti} throws.
 */
export async function readNifti(input: NiftiInput, options: ReadNiftiOptions = {}): Promise<Volume> {
  const { bytes, file } =
    typeof input === "string" ? { bytes: await readWholeFile(input), file: input } : fromBytes(input, options);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const raw = isGzip(bytes) ? await gunzipAsync(bytes, inputLabel(file), maxBytes) : bytes;
  return decodeNifti(raw, decodeOptions(file, maxBytes, options.channel));
}

/**
 * {@link readNifti} without awaiting: `readFileSync` + `zlib.gunzipSync`. Meant for worker
 * threads, where blocking is the point; on the main thread prefer `readNifti`.
 */
export function readNiftiSync(input: NiftiInput, options: ReadNiftiOptions = {}): Volume {
  const { bytes, file } =
    typeof input === "string" ? { bytes: readWholeFileSync(input), file: input } : fromBytes(input, options);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const raw = isGzip(bytes) ? gunzipSyncChecked(bytes, inputLabel(file), maxBytes) : bytes;
  return decodeNifti(raw, decodeOptions(file, maxBytes, options.channel));
}

/**
 * {@link readNiftiSync} without the reorder to row-major and the scaling: the stored voxels
 * (see `decodeNiftiRaw`), for a caller that converts them in one pass with more work. Same
 * options and errors.
 */
export function readNiftiRawSync(input: NiftiInput, options: ReadNiftiOptions = {}): RawNiftiVoxels {
  const { bytes, file } =
    typeof input === "string" ? { bytes: readWholeFileSync(input), file: input } : fromBytes(input, options);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const raw = isGzip(bytes) ? gunzipSyncChecked(bytes, inputLabel(file), maxBytes) : bytes;
  return decodeNiftiRaw(raw, decodeOptions(file, maxBytes, options.channel));
}

/** {@link readNifti} without the reorder and the scaling, like {@link readNiftiRawSync}. */
export async function readNiftiRaw(input: NiftiInput, options: ReadNiftiOptions = {}): Promise<RawNiftiVoxels> {
  const { bytes, file } =
    typeof input === "string" ? { bytes: await readWholeFile(input), file: input } : fromBytes(input, options);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const raw = isGzip(bytes) ? await gunzipAsync(bytes, inputLabel(file), maxBytes) : bytes;
  return decodeNiftiRaw(raw, decodeOptions(file, maxBytes, options.channel));
}

/** Bytes of a NIfTI-2 header; a NIfTI-1 one needs 348. */
const HEADER_BYTES = 540;

/**
 * Read the header of a `.nii` / `.nii.gz` file without decoding voxels: reads the first
 * 540 bytes of the file (more only if a gzip prefix did not inflate to a whole header) and,
 * for gzip, inflates only those.
 *
 * Throws `NOT_FOUND`, `EMPTY`, `READ_FAILED`, `TRUNCATED` (file ends inside the header) and
 * what {@link decodeNiftiHeader} throws.
 */
export async function readNiftiHeader(
  input: NiftiInput,
  options: ReadNiftiHeaderOptions = {},
): Promise<NiftiHeader> {
  if (typeof input !== "string") {
    const { bytes, file } = fromBytes(input, options);
    const header = await headerBytes(bytes.length, (n) => bytes.subarray(0, n), inputLabel(file));
    return decodeNiftiHeader(header, { file });
  }
  const file = input;
  let handle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    throw ioError(error, file);
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) throw emptyError(file);
    const header = await headerBytes(
      size,
      async (n) => {
        const prefix = new Uint8Array(n);
        const { bytesRead } = await handle.read(prefix, 0, n, 0);
        return prefix.subarray(0, bytesRead);
      },
      file,
    );
    return decodeNiftiHeader(header, { file });
  } catch (error) {
    if (error instanceof DeepRegLoaderError) throw error;
    throw ioError(error, file);
  } finally {
    await handle.close();
  }
}

/**
 * The header bytes of a file of `size` bytes whose prefixes `read(n)` returns: the first
 * 540 bytes, or for gzip what a prefix inflates to, growing the prefix x4 until the header is
 * complete or the file is exhausted (usually one read).
 */
async function headerBytes(
  size: number,
  read: (length: number) => Uint8Array | Promise<Uint8Array>,
  name: string,
): Promise<Uint8Array> {
  let length = Math.min(size, HEADER_BYTES);
  for (;;) {
    const bytes = await read(length);
    if (!isGzip(bytes)) return bytes;
    const header = gunzipPrefix(bytes, name);
    if (header.length >= HEADER_BYTES || bytes.length < length || length >= size) return header;
    length = Math.min(size, length * 4);
  }
}

function decodeOptions(file: string | undefined, maxBytes: number, channel: number | undefined): DecodeNiftiOptions {
  const options: DecodeNiftiOptions = { maxBytes };
  if (file !== undefined) options.file = file;
  if (channel !== undefined) options.channel = channel;
  return options;
}

function fromBytes(
  input: Uint8Array | ArrayBufferLike,
  options: { file?: string },
): { bytes: Uint8Array; file: string | undefined } {
  const bytes = asBytes(input);
  if (bytes.length === 0) throw emptyError(options.file);
  return { bytes, file: options.file };
}

async function readWholeFile(file: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw ioError(error, file);
  }
  if (bytes.length === 0) throw emptyError(file);
  return bytes;
}

function readWholeFileSync(file: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw ioError(error, file);
  }
  if (bytes.length === 0) throw emptyError(file);
  return bytes;
}

function emptyError(file: string | undefined): DeepRegLoaderError {
  return new DeepRegLoaderError("EMPTY", `${inputLabel(file)}: empty file (0 bytes); expected a NIfTI image`, { file });
}

function ioError(error: unknown, file: string): DeepRegLoaderError {
  const code = (error as { code?: unknown }).code;
  if (code === "ENOENT") {
    return new DeepRegLoaderError("NOT_FOUND", `${file}: no such file`, { file, cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new DeepRegLoaderError("READ_FAILED", `${file}: cannot read (${reason})`, { file, cause: error });
}
