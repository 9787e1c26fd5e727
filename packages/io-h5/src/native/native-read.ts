// The native read path: a dataset's stored bytes read with Node's fs, chunks inflated with
// Node's zlib (not h5wasm's WebAssembly), shuffle undone, converted to float32 and scattered
// into the output. `NativeH5.read` returns undefined whenever anything is outside what it
// understands (see ./dataset.ts): the caller then reads through h5wasm.
import { closeSync, openSync } from "node:fs";
import { copyToFloat32 } from "../to-float32.js";
import type { NumericArray } from "../to-float32.js";
import { FileBytes, unsupported } from "./bytes.js";
import { readDataset } from "./dataset.js";
import { inflateExactly } from "./inflate.js";
import type { Chunk, DatasetInfo, ElementType, Filter } from "./dataset.js";
import { H5Context, readLinks, readSuperblock } from "./metadata.js";
import type { LinkMap } from "./metadata.js";

/** What h5wasm says about the dataset: the native description must agree before it is used. */
export interface ExpectedDataset {
  shape: readonly number[];
  /** HDF5 type class: 0 integer, 1 float. */
  type: number;
  size: number;
  signed: boolean;
  /** Chunk shape, null when not chunked. */
  chunks: readonly number[] | null;
}

/** Most top-level names a file may have to be opened without h5wasm (every dataset header is read at open). */
const MAX_NATIVE_KEYS = 4096;
/** Strict UTF-8: a name that is not valid UTF-8 is left to h5wasm (which reports it). */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A file described entirely by the native reader: its top-level names and each dataset. */
export interface NativeListing {
  /** Top-level names (UTF-8 decoded), unsorted. */
  keys: string[];
  /** The description of each key's dataset. */
  datasets: Map<string, DatasetInfo>;
}

/** Largest chunk (uncompressed) read natively; bigger ones fall back. */
const MAX_CHUNK_BYTES = 256 * 2 ** 20;
/** Contiguous data is read in pieces of at most this many bytes. */
const PIECE_BYTES = 8 * 2 ** 20;
/** Scratch buffers up to this size are kept between reads (re-touching memory is cheap, fresh pages are not). */
const KEEP_SCRATCH_BYTES = 64 * 2 ** 20;

/** Re-used per thread: stored chunk bytes, and the unshuffled chunk. */
let rawScratch: Buffer = Buffer.alloc(0);
let shuffleScratch: Buffer = Buffer.alloc(0);

function scratch(current: Buffer, bytes: number): Buffer {
  if (current.length >= bytes) return current;
  return Buffer.allocUnsafeSlow(Math.max(bytes, Math.min(current.length * 2, KEEP_SCRATCH_BYTES)));
}

function releaseLargeScratch(): void {
  if (rawScratch.length > KEEP_SCRATCH_BYTES) rawScratch = Buffer.alloc(0);
  if (shuffleScratch.length > KEEP_SCRATCH_BYTES) shuffleScratch = Buffer.alloc(0);
}

/** The native reader of one file: its own file descriptor, metadata parsed on first use and cached per key. */
export class NativeH5 {
  readonly path: string;
  #ctx: H5Context | undefined;
  #fd: number | undefined;
  #links: LinkMap | undefined;
  #failed = false;
  /** Why the last `read` returned undefined ("metadata" when `explain` tells), for tests. */
  lastFallback: string | undefined;
  readonly #datasets = new Map<string, DatasetInfo | undefined>();

  /** Opens `path` now, next to h5wasm's open: a file replaced on disk later is not mixed in. */
  constructor(path: string) {
    this.path = path;
    try {
      this.#fd = openSync(path, "r");
    } catch {
      this.#failed = true;
    }
  }

  /**
   * Dataset `key` (all of it, or `[..., channel]` of a 4D one) as row-major float32, or
   * undefined when the native reader does not support how it is stored or the file
   * disagrees with `expected`.
   */
  read(key: string, expected: ExpectedDataset, channel?: number, target?: Float32Array): Float32Array | undefined {
    this.lastFallback = undefined;
    const info = this.#dataset(key, expected);
    if (!info) {
      this.lastFallback = "metadata";
      return undefined;
    }
    try {
      return readValues(this.#ctx as H5Context, info, channel, target);
    } catch (error) {
      // Unsupported, a zlib error, a file system error: h5wasm reads it (or names the problem).
      this.lastFallback = error instanceof Error ? error.message : String(error);
      return undefined;
    } finally {
      releaseLargeScratch();
    }
  }

  /**
   * Every top-level name and its dataset, when the native reader alone can answer for the whole
   * file as h5wasm would: a trusted superblock declaring exactly the file's size (a cut file is
   * left to h5wasm, which reports it `TRUNCATED`), hard links only, names valid UTF-8, each a
   * dataset of a supported type, shape, filters and layout. Throws `Unsupported` otherwise
   * (the caller then opens the file through h5wasm, which answers as it always has).
   */
  describeAll(): NativeListing {
    const ctx = this.#context();
    const { superblock } = ctx;
    if (superblock.distrust !== undefined) unsupported(superblock.distrust);
    if (superblock.end !== ctx.file.size) unsupported(`the superblock declares ${superblock.end} bytes, the file has ${ctx.file.size}`);
    const links = this.#linkMap();
    if (links.size > MAX_NATIVE_KEYS) unsupported("too many keys to describe at open");
    const keys: string[] = [];
    const datasets = new Map<string, DatasetInfo>();
    for (const [name, address] of links) {
      if (address === undefined) unsupported(`${JSON.stringify(name)} is not a hard link`);
      let key: string;
      try {
        key = UTF8.decode(Buffer.from(name, "latin1"));
      } catch {
        return unsupported("a name that is not UTF-8");
      }
      if (key.includes("/") || key === "." || key.includes("\0")) unsupported(`name ${JSON.stringify(key)}`);
      const info = readDataset(ctx, address, true);
      if (info.shape.some((d) => d === 0)) unsupported("empty dataset");
      if (info.storage.kind === "chunked" && info.storage.dims.reduce((a, b) => a * b, info.type.size) > MAX_CHUNK_BYTES) unsupported("chunk too large");
      keys.push(key);
      datasets.set(key, info);
      this.#datasets.set(key, info);
    }
    return { keys, datasets };
  }

  /** Why `key` is not read natively (undefined when it is): for tests and diagnostics. */
  explain(key: string, expected: ExpectedDataset): string | undefined {
    try {
      const info = describe(this.#context(), this.#linkMap(), key);
      agree(info, expected);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** Closes the descriptor; never throws (the h5wasm file still has to be closed after it). */
  close(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    this.#ctx = undefined;
    this.#failed = true;
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // Nothing was written through it: a failed close loses nothing.
    }
  }

  #dataset(key: string, expected: ExpectedDataset): DatasetInfo | undefined {
    if (this.#datasets.has(key)) return this.#datasets.get(key);
    let info: DatasetInfo | undefined;
    try {
      info = describe(this.#context(), this.#linkMap(), key);
      agree(info, expected);
    } catch {
      info = undefined;
    }
    this.#datasets.set(key, info);
    return info;
  }

  #context(): H5Context {
    if (this.#failed) unsupported("the file could not be opened natively");
    if (!this.#ctx) {
      try {
        if (this.#fd === undefined) unsupported("the file is closed");
        const file = new FileBytes(this.#fd);
        this.#ctx = new H5Context(file, readSuperblock(file));
      } catch (error) {
        this.#failed = true;
        this.close();
        throw error;
      }
    }
    return this.#ctx;
  }

  #linkMap(): LinkMap {
    if (!this.#links) {
      const ctx = this.#context();
      try {
        this.#links = readLinks(ctx, ctx.superblock.root);
      } catch (error) {
        this.#failed = true;
        throw error;
      }
    }
    return this.#links;
  }
}

function describe(ctx: H5Context, links: LinkMap, key: string): DatasetInfo {
  const name = Buffer.from(key, "utf8").toString("latin1");
  if (!links.has(name)) unsupported(`no hard link ${JSON.stringify(key)}`);
  const address = links.get(name);
  if (address === undefined) unsupported(`"${key}" is not a hard link`);
  return readDataset(ctx, address);
}

function agree(info: DatasetInfo, expected: ExpectedDataset): void {
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
  const { type, storage } = info;
  if (!same(info.shape, expected.shape)) unsupported("shape differs from h5wasm's");
  if (type.typeClass !== expected.type || type.size !== expected.size || (type.typeClass === 0 && type.signed !== expected.signed)) {
    unsupported("type differs from h5wasm's");
  }
  const chunks = storage.kind === "chunked" ? storage.dims : null;
  if ((chunks === null) !== (expected.chunks === null) || (chunks && !same(chunks, expected.chunks as number[]))) {
    unsupported("chunk shape differs from h5wasm's");
  }
  if (info.shape.some((d) => d === 0)) unsupported("empty dataset");
}

/** A native-order typed array over `bytes` (aligned), after swapping big-endian values in place. */
function typedView(bytes: Buffer, type: ElementType): NumericArray {
  if (type.bigEndian && type.size > 1) {
    if (type.size === 2) bytes.swap16();
    else if (type.size === 4) bytes.swap32();
    else bytes.swap64();
  }
  const { buffer, byteOffset } = bytes;
  const n = bytes.length / type.size;
  if (type.typeClass === 1) return type.size === 4 ? new Float32Array(buffer, byteOffset, n) : new Float64Array(buffer, byteOffset, n);
  switch (type.size) {
    case 1:
      return type.signed ? new Int8Array(buffer, byteOffset, n) : new Uint8Array(buffer, byteOffset, n);
    case 2:
      return type.signed ? new Int16Array(buffer, byteOffset, n) : new Uint16Array(buffer, byteOffset, n);
    case 4:
      return type.signed ? new Int32Array(buffer, byteOffset, n) : new Uint32Array(buffer, byteOffset, n);
    default:
      return type.signed ? new BigInt64Array(buffer, byteOffset, n) : new BigUint64Array(buffer, byteOffset, n);
  }
}

/**
 * The values as row-major float32, into `target` when given (exactly the output's length, the
 * caller checked): a re-used array is not fresh memory (docs/decisions.md); chunks never written
 * read as zero, so a chunked dataset's target is cleared first.
 */
function readValues(ctx: H5Context, info: DatasetInfo, channel: number | undefined, target?: Float32Array): Float32Array {
  const { shape, type, storage } = info;
  const picked = channel !== undefined && shape.length === 4;
  const outShape = picked ? shape.slice(0, 3) : shape;
  const size = outShape.reduce((a, b) => a * b, 1);
  if (target !== undefined && target.length !== size) unsupported("target of another length");
  const out = target ?? new Float32Array(size);
  if (target !== undefined && (storage.kind === "chunked" || (storage.kind === "contiguous" && storage.position === undefined))) out.fill(0);
  const channels = picked ? (shape[3] as number) : 1;
  const first = picked ? (channel as number) : 0;
  if (storage.kind === "bytes") {
    const bytes = Buffer.from(storage.bytes); // aligned copy (swapped in place when big-endian)
    takeValues(typedView(bytes, type), channels, first, out, 0);
    return out;
  }
  if (storage.kind === "contiguous") {
    if (storage.position === undefined) return out; // never written: the (zero) fill value
    const total = out.length * channels * type.size;
    const step = Math.max(1, Math.floor(PIECE_BYTES / (channels * type.size))) * channels * type.size;
    rawScratch = scratch(rawScratch, Math.min(step, total));
    let written = 0;
    for (let at = 0; at < total; at += step) {
      const n = Math.min(step, total - at);
      ctx.file.readInto(rawScratch, 0, storage.position + at, n, "contiguous data");
      written += takeValues(typedView(rawScratch.subarray(0, n), type), channels, first, out, written);
    }
    return out;
  }
  const { dims, chunks } = storage;
  const chunkBytes = dims.reduce((a, b) => a * b, type.size);
  if (chunkBytes > MAX_CHUNK_BYTES) unsupported("chunk too large");
  for (const chunk of chunks) {
    if (picked) {
      const c0 = chunk.offset[3] as number;
      if (first < c0 || first >= c0 + (dims[3] as number)) continue; // the channel is not in this chunk
    }
    const values = typedView(decodeChunk(ctx, chunk, info.filters, chunkBytes, type.size), type);
    scatter(values, chunk.offset, dims, shape, out, picked ? first : undefined);
  }
  return out;
}

/** `values[k * step + first]` for every k, converted to float32, into `out` from `offset`; returns the count. */
function takeValues(values: NumericArray, step: number, first: number, out: Float32Array, offset: number): number {
  if (step === 1) {
    copyToFloat32(values, out, offset);
    return values.length;
  }
  const count = Math.floor(values.length / step);
  const floats = asFloat32(values);
  for (let k = 0, i = first; k < count; k++, i += step) out[offset + k] = floats[i] as number;
  return count;
}

/** The chunk's bytes after undoing its filters (exactly `chunkBytes`, aligned, writable). */
function decodeChunk(ctx: H5Context, chunk: Chunk, filters: readonly Filter[], chunkBytes: number, itemSize: number): Buffer {
  const active = filters.filter((_, i) => ((chunk.mask >>> i) & 1) === 0);
  if (active.length === 0) {
    if (chunk.size !== chunkBytes) unsupported("unfiltered chunk of another size");
    rawScratch = scratch(rawScratch, chunkBytes);
    ctx.file.readInto(rawScratch, 0, chunk.position, chunkBytes, "chunk");
    return rawScratch.subarray(0, chunkBytes);
  }
  if (chunk.size > ctx.file.size) unsupported("chunk larger than the file");
  rawScratch = scratch(rawScratch, chunk.size);
  ctx.file.readInto(rawScratch, 0, chunk.position, chunk.size, "chunk");
  let bytes: Buffer = rawScratch.subarray(0, chunk.size);
  for (let i = active.length - 1; i >= 0; i--) {
    const filter = active[i] as Filter;
    if (filter.id === 1) {
      bytes = inflateExactly(bytes, chunkBytes, KEEP_SCRATCH_BYTES);
    } else {
      if (bytes.length !== chunkBytes) unsupported("shuffled chunk of another size");
      shuffleScratch = scratch(shuffleScratch, chunkBytes);
      const target = shuffleScratch.subarray(0, chunkBytes);
      unshuffle(bytes, target, itemSize);
      bytes = target;
    }
  }
  if (bytes.length !== chunkBytes) unsupported("chunk inflates to another size");
  if (bytes.byteOffset % itemSize !== 0) bytes = Buffer.from(bytes);
  return bytes;
}

/** Undoes HDF5's shuffle: byte j of every element was stored together, plane after plane. */
function unshuffle(source: Uint8Array, target: Uint8Array, itemSize: number): void {
  const n = Math.floor(source.length / itemSize);
  for (let j = 0; j < itemSize; j++) {
    const plane = j * n;
    for (let i = 0; i < n; i++) target[i * itemSize + j] = source[plane + i] as number;
  }
  // Bytes past the last whole element are stored as they are.
  const rest = n * itemSize;
  target.set(source.subarray(rest), rest);
}

/** Runs at least this long are copied with `TypedArray.set` (a memcpy) rather than a loop. */
const SET_RUN = 32;

/** Re-used per thread: the current chunk converted to float32. */
let floatScratch = new Float32Array(0);

/** `values` converted to float32 (one bulk conversion into a re-used array). */
function asFloat32(values: NumericArray): Float32Array {
  if (values instanceof Float32Array) return values;
  if (floatScratch.length < values.length) floatScratch = new Float32Array(Math.max(values.length, Math.min(floatScratch.length * 2, KEEP_SCRATCH_BYTES / 4)));
  const target = floatScratch.subarray(0, values.length);
  copyToFloat32(values, target, 0);
  return target;
}

/**
 * Writes a chunk's values (row-major over `dims`, first element at `origin`) into the row-major
 * output of `shape`, clipped to the dataset; with `channel`, only `[..., channel]` of a 4D
 * dataset into an output of shape `shape[0..3]`. The chunk is converted to float32 in one
 * bulk call first; the copy loops then see float32 only (monomorphic, no per-row calls).
 */
function scatter(chunk: NumericArray, origin: readonly number[], dims: readonly number[], shape: readonly number[], out: Float32Array, channel?: number): void {
  const values = asFloat32(chunk);
  const rank = shape.length;
  // Spatial axes written: all of them, or the first three when picking a channel.
  const axes = channel === undefined ? rank : 3;
  const extent = new Array<number>(axes);
  for (let k = 0; k < axes; k++) extent[k] = Math.min(dims[k] as number, (shape[k] as number) - (origin[k] as number));
  if (extent.some((e) => e <= 0)) return;
  // Strides of the chunk (over all its axes) and of the output (over the written axes).
  const chunkStride = new Array<number>(rank);
  chunkStride[rank - 1] = 1;
  for (let k = rank - 2; k >= 0; k--) chunkStride[k] = (chunkStride[k + 1] as number) * (dims[k + 1] as number);
  const outStride = new Array<number>(axes);
  outStride[axes - 1] = 1;
  for (let k = axes - 2; k >= 0; k--) outStride[k] = (outStride[k + 1] as number) * (shape[k + 1] as number);

  // One run: the last written axis, merged with the axes before it while the chunk spans the
  // whole dataset along the axes after them (then chunk and output rows are contiguous alike).
  const step = chunkStride[axes - 1] as number;
  let last = axes - 1;
  let runLength = extent[last] as number;
  if (channel === undefined) {
    while (last > 0 && extent[last] === dims[last] && extent[last] === shape[last]) {
      last -= 1;
      runLength *= extent[last] as number;
    }
  }
  const lane = channel === undefined ? 0 : channel - (origin[3] as number);
  const index = new Array<number>(last).fill(0);
  for (;;) {
    let source = lane;
    let target = 0;
    for (let k = 0; k < axes; k++) {
      const i = k < last ? (index[k] as number) : 0;
      source += i * (chunkStride[k] as number);
      target += ((origin[k] as number) + i) * (outStride[k] as number);
    }
    if (step === 1 && runLength >= SET_RUN) {
      out.set(values.subarray(source, source + runLength), target); // a memcpy: ~2x the loop on long runs
    } else if (step === 1) {
      for (let i = 0; i < runLength; i++) out[target + i] = values[source + i] as number;
    } else {
      for (let i = 0; i < runLength; i++) out[target + i] = values[source + i * step] as number;
    }
    // Next run: the axes before `last`, last fastest.
    let k = last - 1;
    for (; k >= 0; k--) {
      index[k] = (index[k] as number) + 1;
      if ((index[k] as number) < (extent[k] as number)) break;
      index[k] = 0;
    }
    if (k < 0) return;
  }
}
