// Path (and bytes) readers for Node: read the header, then only the bytes it declares,
// inflating `.nii.gz` with native zlib (sniffed by the `1f 8b` magic, never by the name);
// decode with the browser-safe core.
import { close, closeSync, fstat, fstatSync, open, openSync, read, readSync } from "node:fs";
import { DTYPE_BYTES, DeepRegLoaderError, shapeSize } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { DEFAULT_MAX_BYTES, decodeNifti, decodeNiftiRaw, neededBytes } from "./decode-nifti.js";
import type { DecodeNiftiOptions, PackedDecodeOptions, RawNiftiVoxels } from "./decode-nifti.js";
import { inflateAsync, inflateError, inflatePlan, inflateRangeInto, inflateSync } from "./gunzip.js";
import type { Inflated } from "./gunzip.js";
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
   * the other channels are never converted. From a `.nii.gz` of two or more channels only the
   * header and this channel are kept: the stream is inflated on the calling thread up to the
   * channel's end and no further (so neither the rest of the stream nor its CRC is checked; a
   * stream cut or damaged before the channel ends fails as a whole read does). A 3D file has
   * one channel, 0. `INVALID_ARGUMENT` when out of range. Default: the whole volume.
   */
  channel?: number;
  /**
   * Memory from {@link createNiftiReadScratch} that this read re-uses for the file's bytes and
   * the inflated stream instead of allocating them, so a thread reading file after file stops
   * paging in fresh memory (the async readers inflate into it on the libuv pool). The raw
   * readers' `values` then view the scratch: use them before the next read with the same
   * scratch, and never give one scratch to two reads in flight at once (async). Default: fresh
   * memory per read.
   */
  scratch?: NiftiReadScratch;
}

/**
 * Memory a series of reads shares ({@link ReadNiftiOptions.scratch}): grown to the largest file
 * read so far, never shrunk. Plain data; it serves one read at a time (one per thread for the
 * sync readers, one per read in flight for the async ones).
 */
export interface NiftiReadScratch {
  /** The last file's bytes (as read from disk). */
  input: Uint8Array | undefined;
  /** The last `.nii.gz` stream's inflated bytes. */
  inflated: Uint8Array | undefined;
}

/** An empty {@link NiftiReadScratch}. */
export function createNiftiReadScratch(): NiftiReadScratch {
  return { input: undefined, inflated: undefined };
}

/** `scratch[key]` when it holds `length` bytes, else a new buffer of `length` bytes stored there. */
function scratchBuffer(scratch: NiftiReadScratch, key: "input" | "inflated", length: number): Uint8Array {
  const held = scratch[key];
  if (held !== undefined && held.length >= length) return held;
  const fresh = Buffer.allocUnsafeSlow(length);
  scratch[key] = fresh;
  return fresh;
}

/** Options of {@link readNiftiHeader}. */
export interface ReadNiftiHeaderOptions {
  /** Name used in error messages when the input is bytes. Default `"<bytes>"`. */
  file?: string;
}

/**
 * Read a NIfTI-1/2 file (`.nii` or `.nii.gz`, decided by the bytes) into a row-major float32
 * `Volume` equal to nibabel's `np.asarray(nib.load(p).dataobj, dtype=np.float32)`.
 * Inflates with async `zlib.gunzip` on the libuv pool.
 *
 * Memory follows the header: the size checks (`maxBytes`) run on the declared shape and dtype
 * before the voxels are read; only `vox_offset` + the declared voxel bytes are read (`.nii`)
 * or inflated (`.nii.gz`; what the stream holds beyond them is ignored, as nibabel does).
 *
 * Throws `NOT_FOUND`, `EMPTY`, `READ_FAILED` (IO error, invalid gzip), `TRUNCATED` (gzip
 * stream or voxels end early), `TOO_LARGE`, and what {@link decodeNifti} throws.
 *
 * @example
 * ```ts
 * import { readNifti, writeNifti } from "@deepreg-loader/io-nifti";
 *
 * // A 5x4x3 volume, row-major: value = 100*i + 10*j + k.
 * const data = new Float32Array(60).map((_, n) => 100 * Math.floor(n / 12) + 10 * (Math.floor(n / 3) % 4) + (n % 3));
 * await writeNifti("/tmp/ramp.nii.gz", { data, shape: [5, 4, 3] }, { dtype: "int16" });
 *
 * const volume = await readNifti("/tmp/ramp.nii.gz");
 * console.log(volume.shape, volume.get(4, 3, 2), volume.data.constructor.name);
 * // [ 5, 4, 3 ] 432 Float32Array
 * ```
 */
export async function readNifti(input: NiftiInput, options: ReadNiftiOptions = {}): Promise<Volume> {
  return readWith(input, options, decodeNifti);
}

/**
 * {@link readNifti} without the reorder to row-major and the scaling: the stored voxels (see
 * `decodeNiftiRaw`), for a caller that converts them in one pass with more work (the loader
 * normalises while it reorders). Same options and errors.
 */
export async function readNiftiRaw(input: NiftiInput, options: ReadNiftiOptions = {}): Promise<RawNiftiVoxels> {
  return readWith(input, options, decodeNiftiRaw);
}

/** {@link readNiftiSync} without the reorder and the scaling, like {@link readNiftiRaw}. */
export function readNiftiRawSync(input: NiftiInput, options: ReadNiftiOptions = {}): RawNiftiVoxels {
  return readWithSync(input, options, decodeNiftiRaw);
}

/** How the inflated bytes of a file become the result (`decodeNifti` or `decodeNiftiRaw`). */
type Decode<T> = (bytes: Uint8Array, options: DecodeNiftiOptions) => T;

async function readWith<T>(input: NiftiInput, options: ReadNiftiOptions, decode: Decode<T>): Promise<T> {
  if (typeof input !== "string") {
    const { bytes, file } = fromBytes(input, options);
    return readFrom({ size: bytes.length, read: (n) => bytes.subarray(0, n) }, file, options, decode);
  }
  const file = input;
  const scratch = options.scratch;
  return withOpenFile(file, (fd, size) =>
    readFrom({ size, read: (n) => (scratch === undefined ? readPrefix(fd, n) : readPrefix(fd, n, scratchBuffer(scratch, "input", n))) }, file, options, decode),
  );
}

/**
 * Opens `file`, hands its descriptor and (non-zero) size to `use`, closes it; failures of the
 * file system become `ioError`s naming the file, our own errors pass through. Callback `fs`
 * calls rather than a `FileHandle`: a third of the CPU per small file (DeepReg's 100 test files:
 * 13 ms vs 20 ms for open, stat, read and close).
 */
async function withOpenFile<T>(file: string, use: (fd: number, size: number) => Promise<T>): Promise<T> {
  let fd: number;
  try {
    fd = await new Promise<number>((resolve, reject) => open(file, "r", (error, opened) => (error ? reject(error) : resolve(opened))));
  } catch (error) {
    throw ioError(error, file);
  }
  try {
    const size = await new Promise<number>((resolve, reject) => fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats.size))));
    if (size === 0) throw emptyError(file);
    return await use(fd, size);
  } catch (error) {
    if (error instanceof DeepRegLoaderError) throw error;
    throw ioError(error, file);
  } finally {
    await new Promise<void>((resolve) => close(fd, () => resolve()));
  }
}

/**
 * {@link readNifti} without awaiting: sync reads + `zlib.gunzipSync`. Meant for worker
 * threads, where blocking is the point; on the main thread prefer `readNifti`.
 */
export function readNiftiSync(input: NiftiInput, options: ReadNiftiOptions = {}): Volume {
  return readWithSync(input, options, decodeNifti);
}

function readWithSync<T>(input: NiftiInput, options: ReadNiftiOptions, decode: Decode<T>): T {
  if (typeof input !== "string") {
    const { bytes, file } = fromBytes(input, options);
    return readFromSync({ size: bytes.length, read: (n) => bytes.subarray(0, n) }, file, options, decode);
  }
  const file = input;
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    throw ioError(error, file);
  }
  try {
    const { size } = fstatSync(fd);
    if (size === 0) throw emptyError(file);
    const scratch = options.scratch;
    const read = scratch === undefined ? (n: number) => readPrefixSync(fd, n) : (n: number) => readPrefixSync(fd, n, scratchBuffer(scratch, "input", n));
    return readFromSync({ size, read }, file, options, decode);
  } catch (error) {
    if (error instanceof DeepRegLoaderError) throw error;
    throw ioError(error, file);
  } finally {
    closeSync(fd);
  }
}

/** Bytes of a NIfTI-2 header; a NIfTI-1 one needs 348. */
const HEADER_BYTES = 540;

/** The first read of a file: the whole of a typical `.nii.gz`, enough for any header. */
const FIRST_READ = 2 ** 20;

/** Output allowed when inflating a header: what 1,024 compressed bytes can hold (deflate: ~1032:1). */
const HEADER_SLACK = 2 ** 21;

/**
 * Compressed bytes inflated first for a header (grown x4 while the header is incomplete). A
 * gzipped NIfTI-1 header takes 150-400 compressed bytes; every byte inflated beyond it is voxels
 * thrown away (zeros of a label inflate ~1000:1): from 256 bytes, DeepReg's test files inflate
 * 51 KiB per header instead of 228 KiB from 1,024.
 */
const HEADER_START = 256;

/** A file (or bytes) read from its start: `read(n)` gives its first `n` bytes (fewer at the end). */
interface Source<R> {
  size: number;
  read: (length: number) => R;
}

/**
 * The most compressed bytes read for `needed` inflated bytes: deflate adds 5 bytes per 64 KiB
 * stored block at worst, plus gzip headers; more input than this is never needed.
 */
function compressedCap(needed: number): number {
  return needed + Math.ceil(needed / 64) + FIRST_READ;
}

/** What a read needs after its first bytes: the header, whether gzip, and the bytes to take. */
function planOf(first: Uint8Array, file: string | undefined, options: ReadNiftiOptions): { gzip: boolean; needed: number; take: number; channel: ChannelRange | undefined } {
  const name = inputLabel(file);
  const gzip = isGzip(first);
  const header = decodeNiftiHeader(gzip ? gunzipHeader(first, name) : first.subarray(0, HEADER_BYTES), { file });
  const needed = neededBytes(header, decodeOptions(file, options));
  const channel = gzip ? channelRange(header, options.channel) : undefined;
  // A channel inflated alone needs the compressed bytes up to its end only (at most).
  return { gzip, needed, take: compressedCap(channel === undefined ? needed : channel.end), channel };
}

/**
 * Where channel `c` of a 4D file of C > 1 channels lies in the inflated stream: after the
 * header (`prefix` = vox_offset bytes), `skip` bytes of the channels before it, then `length`
 * bytes; `end` = prefix + skip + length. Undefined for a whole read, a 3D file, one channel.
 */
interface ChannelRange {
  prefix: number;
  skip: number;
  length: number;
  end: number;
}

function channelRange(header: NiftiHeader, channel: number | undefined): ChannelRange | undefined {
  const { shape } = header;
  if (channel === undefined || shape.length !== 4 || (shape[3] as number) < 2) return undefined;
  // Out of range or not an integer: the plain path reports it (neededBytes already checked it).
  if (!Number.isInteger(channel) || channel < 0 || channel >= (shape[3] as number)) return undefined;
  const length = shapeSize(shape.slice(0, 3)) * DTYPE_BYTES[header.dtype];
  const prefix = header.voxOffset;
  const skip = channel * length;
  return { prefix, skip, length, end: prefix + skip + length };
}

/**
 * One channel of a `.nii.gz` inflated alone ({@link inflateRangeInto}: the header, then the
 * channel's bytes, the others never kept and nothing after it inflated) into `into(n)` or fresh
 * memory; undefined when that path cannot (a stream that ends early or is damaged, ...), and the
 * whole-stream path then gives the result or the error.
 */
function inflateChannel(input: Uint8Array, range: ChannelRange, into?: (length: number) => Uint8Array): Uint8Array | undefined {
  const size = range.prefix + range.length;
  const out = into === undefined ? Buffer.allocUnsafeSlow(size) : into(size).subarray(0, size);
  return inflateRangeInto(input, out, range.skip, range.length) === true ? out : undefined;
}

/** `options` for decoding bytes that {@link inflateChannel} packed. */
function packedOptions(file: string | undefined, options: ReadNiftiOptions): PackedDecodeOptions {
  return { ...decodeOptions(file, options), packed: true };
}

/** The header bytes of a gzip stream whose first bytes are `first` (a prefix inflated, never all of it). */
function gunzipHeader(first: Uint8Array, name: string): Uint8Array {
  const { output } = inflateSync((n) => first.subarray(0, n), inflatePlan(first.length, HEADER_BYTES, HEADER_START, name, true, HEADER_SLACK));
  return output.subarray(0, HEADER_BYTES);
}

/** The first `needed` bytes of an inflated stream; TRUNCATED (with zlib's error) when it is shorter. */
function voxelBytes(inflated: Inflated, needed: number, name: string): Uint8Array {
  const { output, cause } = inflated;
  if (output.length < needed && cause !== undefined) throw inflateError(cause, name);
  return output.length > needed ? output.subarray(0, needed) : output;
}

async function readFrom<T>(
  source: Source<Uint8Array | Promise<Uint8Array>>,
  file: string | undefined,
  options: ReadNiftiOptions,
  decode: Decode<T>,
): Promise<T> {
  const name = inputLabel(file);
  const first = await source.read(Math.min(source.size, FIRST_READ));
  const { gzip, needed, take, channel } = planOf(first, file, options);
  const length = Math.min(source.size, take);
  const input = length <= first.length ? first.subarray(0, length) : await source.read(length);
  const scratch = options.scratch;
  const into = scratch === undefined ? undefined : (n: number) => scratchBuffer(scratch, "inflated", n);
  // One channel: inflated alone on this thread (little work for a label: it stops after it).
  const packed = channel === undefined ? undefined : inflateChannel(input, channel, into);
  if (packed !== undefined) return decode(packed, packedOptions(file, options));
  const whole = channel === undefined || length === source.size ? input : await source.read(Math.min(source.size, compressedCap(needed)));
  const raw = gzip
    ? voxelBytes(await inflateAsync((n) => whole.subarray(0, n), inflatePlan(whole.length, needed, whole.length, name, false, undefined, true), into), needed, name)
    : input;
  return decode(raw, decodeOptions(file, options));
}

function readFromSync<T>(source: Source<Uint8Array>, file: string | undefined, options: ReadNiftiOptions, decode: Decode<T>): T {
  const name = inputLabel(file);
  const first = source.read(Math.min(source.size, FIRST_READ));
  const { gzip, needed, take, channel } = planOf(first, file, options);
  const length = Math.min(source.size, take);
  const input = length <= first.length ? first.subarray(0, length) : source.read(length);
  const scratch = options.scratch;
  const into = scratch === undefined ? undefined : (n: number) => scratchBuffer(scratch, "inflated", n);
  const packed = channel === undefined ? undefined : inflateChannel(input, channel, into);
  if (packed !== undefined) return decode(packed, packedOptions(file, options));
  const whole = channel === undefined || length === source.size ? input : source.read(Math.min(source.size, compressedCap(needed)));
  const raw = gzip
    ? voxelBytes(inflateSync((n) => whole.subarray(0, n), inflatePlan(whole.length, needed, whole.length, name), into), needed, name)
    : input;
  return decode(raw, decodeOptions(file, options));
}

/** The first `length` bytes of an open file (fewer when it is shorter), in a buffer of their own. */
async function readPrefix(fd: number, length: number, buffer: Uint8Array = Buffer.allocUnsafeSlow(length)): Promise<Uint8Array> {
  let filled = 0;
  while (filled < length) {
    const bytesRead = await new Promise<number>((resolve, reject) =>
      read(fd, buffer, filled, length - filled, filled, (error, n) => (error ? reject(error) : resolve(n))),
    );
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

function readPrefixSync(fd: number, length: number, buffer: Uint8Array = Buffer.allocUnsafeSlow(length)): Uint8Array {
  let filled = 0;
  while (filled < length) {
    const bytesRead = readSync(fd, buffer, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/**
 * Read the header of a `.nii` / `.nii.gz` file without decoding voxels: reads at most the
 * first 1 MiB of the file and, for gzip, inflates only the prefix that holds the header.
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
    return headerOf(bytes.subarray(0, FIRST_READ), file);
  }
  const file = input;
  return withOpenFile(file, async (fd, size) => headerOf(await readPrefix(fd, Math.min(size, FIRST_READ)), file));
}

function headerOf(first: Uint8Array, file: string | undefined): NiftiHeader {
  const bytes = isGzip(first) ? gunzipHeader(first, inputLabel(file)) : first.subarray(0, HEADER_BYTES);
  return decodeNiftiHeader(bytes, { file });
}

function decodeOptions(file: string | undefined, options: ReadNiftiOptions): DecodeNiftiOptions {
  const decode: DecodeNiftiOptions = { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES };
  if (file !== undefined) decode.file = file;
  if (options.channel !== undefined) decode.channel = options.channel;
  return decode;
}

function fromBytes(
  input: Uint8Array | ArrayBufferLike,
  options: { file?: string },
): { bytes: Uint8Array; file: string | undefined } {
  const bytes = asBytes(input);
  if (bytes.length === 0) throw emptyError(options.file);
  return { bytes, file: options.file };
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
