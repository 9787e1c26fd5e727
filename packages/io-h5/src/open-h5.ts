import { constants } from "node:buffer";
import { resolve } from "node:path";
import { createVolume, DEFAULT_MAX_BYTES, DeepRegLoaderError, shapeSize } from "@deepreg-loader/core";
import type { DType, Volume } from "@deepreg-loader/core";
import type { Dataset, File as H5wasmFile, Metadata } from "h5wasm";
import { checkH5File } from "./check-file.js";
import { closestKey } from "./closest-key.js";
import { dtypeOf } from "./dtype.js";
import { checkFilters } from "./filters.js";
import { discardH5wasm, loadH5wasm } from "./h5wasm.js";
import type { H5Instance } from "./h5wasm.js";
import { isWasmTrap, quiet } from "./quiet.js";
import { hdf5ErrorSummary, isSignatureError, isTruncationError } from "./hdf5-error.js";
import { readFloat32 } from "./read-slabs.js";
import { NativeH5 } from "./native/native-read.js";
import type { ExpectedDataset, NativeListing } from "./native/native-read.js";
import type { DatasetInfo } from "./native/dataset.js";
import { readThroughH5wasm } from "./read-through-h5wasm.js";

/** Options of `openH5`. */
export interface OpenH5Options {
  /**
   * Largest read handed to HDF5 at once, in bytes of the stored type (default 256 MiB).
   * Bigger datasets are read in hyperslabs of at most this size, so the wasm heap (capped at
   * 2 GiB per thread) holds one slab at a time.
   */
  slabBytes?: number;
  /**
   * Largest volume `read` returns, in bytes of float32 output (default 2^31, 2 GiB: the same
   * cap as `@deepreg-loader/io-nifti`). Checked from the declared shape before anything is
   * read: a dataset declaring more is `TOO_LARGE`, however little the file stores.
   */
  maxBytes?: number;
  /**
   * Read datasets natively where the file's layout allows (default true): metadata parsed in
   * TypeScript, stored bytes read with `node:fs`, chunks inflated by Node's zlib; anything the
   * native reader does not support is read through h5wasm. `false` reads everything through
   * h5wasm (so does the environment variable `DEEPREG_LOADER_H5_NATIVE=0`).
   */
  native?: boolean;
}


/** Options of `H5File.read`. */
export interface H5ReadOptions {
  /**
   * Read only `[..., channel]` of a 4D dataset (one channel of a DeepReg label) as a 3D volume
   * `[d1, d2, d3]`: a hyperslab read, the other channels are never converted. A 3D dataset has
   * one channel, 0. `INVALID_ARGUMENT` when out of range or the dataset is neither 3D nor 4D.
   * Default: the whole dataset.
   */
  channel?: number;
  /**
   * Write the values into this array instead of a new one (its length must be the output's:
   * the shape's size, or the spatial size with `channel`; else `INVALID_ARGUMENT`). The returned
   * volume's `data` is `out` itself. A re-used array costs no fresh memory, which on some
   * machines costs more than the read (docs/decisions.md). Default: a new array.
   */
  out?: Float32Array;
}

/** An open HDF5 file (read-only). Close it with `close()` or `using h5 = await openH5(...)`. */
export interface H5File {
  /** The path as given to `openH5`. */
  readonly path: string;
  /** Top-level names, sorted like Python's `sorted(h5.keys())` (UTF-16 code units). */
  keys(): string[];
  /** Shape of dataset `key` as h5py's `ds.shape`, without reading data. */
  shape(key: string): number[];
  /** Stored element type of dataset `key` (numpy name; byte order aside). */
  dtype(key: string): DType;
  /**
   * Dataset `key` as a row-major float32 volume, equal to `np.asarray(h5[key], dtype=np.float32)`
   * (with `channel`: `np.asarray(h5[key][..., channel], dtype=np.float32)`).
   */
  read(key: string, options?: H5ReadOptions): Volume;
  /** Releases the file; idempotent. Any other call afterwards throws `CLOSED`. */
  close(): void;
  /** `close()`, for `using h5 = await openH5(path)` (TypeScript 5.2+). */
  [Symbol.dispose](): void;
}

/** 256 MiB. */
export const DEFAULT_SLAB_BYTES = 256 * 2 ** 20;

const ENTITY_NAMES: Record<string, string> = {
  Group: "a group",
  BrokenSoftLink: "a broken soft link",
  ExternalLink: "an external link (not followed)",
  Datatype: "a named datatype",
};

function quoteList(keys: readonly string[], max = 10): string {
  const shown = keys.slice(0, max).map((k) => JSON.stringify(k));
  return keys.length > max ? `${shown.join(", ")}, ... (${keys.length} keys)` : shown.join(", ");
}

/**
 * What `shape`, `dtype` and `read` need to know of a dataset: h5wasm's metadata, or the native
 * reader's description in the same terms (HDF5 type class, element size, signedness).
 */
type KeyMetadata = Pick<Metadata, "shape" | "type" | "size" | "signed" | "chunks">;

/** A dataset as `OpenH5File` knows it: through h5wasm (`dataset`) or natively (no `dataset`). */
interface Entry {
  dataset?: Dataset;
  metadata: KeyMetadata;
}

/** The file as opened through h5wasm: its instance (one per thread) and file handle. */
interface WasmHandle {
  instance: H5Instance;
  file: H5wasmFile;
}

class OpenH5File implements H5File {
  readonly path: string;
  /** Undefined when the native reader answers for the whole file (h5wasm was never started). */
  readonly #wasm: WasmHandle | undefined;
  readonly #slabBytes: number;
  readonly #maxBytes: number;
  #closed = false;
  readonly #native: NativeH5 | undefined;
  readonly #keys: string[];
  readonly #keySet: ReadonlySet<string>;
  readonly #entries = new Map<string, Entry>();

  constructor(
    path: string,
    source: { wasm: WasmHandle } | { native: NativeH5; listing: NativeListing },
    keys: string[],
    options: { slabBytes: number; maxBytes: number; native: boolean },
  ) {
    this.path = path;
    if ("wasm" in source) {
      this.#wasm = source.wasm;
      this.#native = options.native ? new NativeH5(path) : undefined;
    } else {
      this.#wasm = undefined;
      this.#native = source.native;
      for (const [key, info] of source.listing.datasets) this.#entries.set(key, { metadata: nativeMetadata(info) });
    }
    this.#keys = keys;
    this.#keySet = new Set(keys);
    this.#slabBytes = options.slabBytes;
    this.#maxBytes = options.maxBytes;
  }

  keys(): string[] {
    this.#open();
    return [...this.#keys];
  }

  shape(key: string): number[] {
    return [...this.#shape(key, this.#entry(key).metadata)];
  }

  dtype(key: string): DType {
    return dtypeOf(this.#entry(key).metadata, this.path, key);
  }

  read(key: string, options: H5ReadOptions = {}): Volume {
    const { dataset, metadata } = this.#entry(key);
    dtypeOf(metadata, this.path, key);
    const fullShape = this.#shape(key, metadata);
    const { channel } = options;
    if (channel !== undefined) this.#checkChannel(key, fullShape, channel);
    const shape = channel === undefined ? fullShape : fullShape.slice(0, 3);
    const size = shapeSize(shape);
    const limit = Math.min(this.#maxBytes, constants.MAX_LENGTH);
    if (size * 4 > limit) {
      const what = limit === this.#maxBytes ? `the limit is ${limit} bytes (maxBytes)` : `more than one array can hold (${limit})`;
      throw new DeepRegLoaderError(
        "TOO_LARGE",
        `${this.path}: dataset "${key}" declares shape [${shape.join(", ")}] (${size * 4} bytes as float32${channel === undefined ? "" : ` for channel ${channel}`}); ${what}`,
        { file: this.path, details: { key, shape, maxBytes: this.#maxBytes } },
      );
    }
    const { out } = options;
    if (out !== undefined && (!(out instanceof Float32Array) || out.length !== size)) {
      throw new DeepRegLoaderError(
        "INVALID_ARGUMENT",
        `${this.path}: read("${key}", { out }) needs a Float32Array of ${size} values (shape [${shape.join(", ")}]), found ${out instanceof Float32Array ? `${out.length} values` : typeof out}`,
        { file: this.path, details: { key, shape, length: out instanceof Float32Array ? out.length : undefined } },
      );
    }
    const native = this.#native?.read(key, expectation(fullShape, metadata), channel, out);
    if (native) return createVolume(native, shape);
    let data: Float32Array;
    if (!dataset) {
      // Opened without h5wasm and the values did not read natively (a damaged chunk, a file
      // changed since): h5wasm answers, in a child process since `read` is synchronous.
      data = readThroughH5wasm(this.path, key, { channel, slabBytes: this.#slabBytes, maxBytes: this.#maxBytes }, this.#native?.lastFallback);
    } else {
      data = this.#call(key, "read", () => {
        checkFilters(dataset.filters, this.path, key);
        return readFloat32(dataset, fullShape, metadata.size, this.#slabBytes, metadata.chunks, channel);
      });
    }
    if (out !== undefined) {
      out.set(data);
      data = out;
    }
    return createVolume(data, shape);
  }

  /**
   * Why dataset `key` is read through h5wasm rather than natively (undefined: read natively).
   * For tests and diagnostics; not part of the public `H5File` interface.
   */
  nativeUnsupported(key: string): string | undefined {
    const { metadata } = this.#entry(key);
    if (!this.#native) return "the native reader is off";
    return this.#native.explain(key, expectation(this.#shape(key, metadata), metadata));
  }

  /**
   * Dataset `key` read by the native reader alone (undefined when it falls back), after the
   * same checks as `read`. For tests; not part of the public `H5File` interface.
   */
  readNative(key: string, options: H5ReadOptions = {}): Float32Array | undefined {
    const { metadata } = this.#entry(key);
    dtypeOf(metadata, this.path, key);
    const shape = this.#shape(key, metadata);
    if (options.channel !== undefined) this.#checkChannel(key, shape, options.channel);
    return this.#native?.read(key, expectation(shape, metadata), options.channel);
  }

  /** True when the file was opened by the native reader alone, without h5wasm. For tests; not public. */
  get openedNatively(): boolean {
    return this.#wasm === undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#native?.close();
    const wasm = this.#wasm;
    if (!wasm || wasm.instance.broken) return; // a trapped instance is left alone
    try {
      quiet(() => wasm.file.close());
    } catch (error) {
      throw new DeepRegLoaderError("READ_FAILED", `${this.path}: closing failed: ${hdf5ErrorSummary(error)}`, {
        file: this.path,
        cause: error,
      });
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The h5wasm file (undefined when opened natively); CLOSED or READ_FAILED when it cannot be used. */
  #open(): H5wasmFile | undefined {
    if (this.#closed) {
      throw new DeepRegLoaderError("CLOSED", `${this.path}: the HDF5 file was closed`, { file: this.path });
    }
    if (this.#wasm?.instance.broken) {
      throw new DeepRegLoaderError(
        "READ_FAILED",
        `${this.path}: the HDF5 library crashed on an earlier read and was restarted; open the file again`,
        { file: this.path },
      );
    }
    return this.#wasm?.file;
  }

  /**
   * Runs an h5wasm call with its output captured, turning its errors into READ_FAILED naming
   * the file and key; a WebAssembly trap also retires the wasm instance (the next `openH5`
   * gets a fresh one).
   */
  #call<T>(key: string, what: string, fn: () => T): T {
    try {
      return quiet(fn).value;
    } catch (error) {
      if (error instanceof DeepRegLoaderError) throw error;
      if (isWasmTrap(error)) {
        if (this.#wasm) discardH5wasm(this.#wasm.instance);
        throw new DeepRegLoaderError(
          "READ_FAILED",
          `${this.path}: the HDF5 library crashed reading dataset "${key}" (${hdf5ErrorSummary(error)}); the file is damaged`,
          { file: this.path, cause: error, details: { key } },
        );
      }
      throw new DeepRegLoaderError(
        "READ_FAILED",
        `${this.path}: cannot ${what} dataset "${key}": ${hdf5ErrorSummary(error)}`,
        { file: this.path, cause: error, details: { key } },
      );
    }
  }

  /** The dataset named `key` and its metadata (cached); KEY_MISSING / NOT_A_DATASET otherwise. */
  #entry(key: string): Entry {
    const file = this.#open();
    const cached = this.#entries.get(key);
    if (cached) return cached;
    if (!this.#keySet.has(key) || !file || !this.#wasm) {
      const suggestion = closestKey(key, this.#keys);
      throw new DeepRegLoaderError(
        "KEY_MISSING",
        `${this.path}: no key ${JSON.stringify(key)}; the file has ${this.#keys.length === 0 ? "no keys" : quoteList(this.#keys)}` +
          (suggestion === undefined ? "" : `. Did you mean ${JSON.stringify(suggestion)}?`),
        { file: this.path, details: { key, keys: [...this.#keys], suggestion } },
      );
    }
    const entity = this.#call(key, "open", () => file.get(key));
    if (!(entity instanceof this.#wasm.instance.h5.Dataset)) {
      const kind = (entity && ENTITY_NAMES[entity.constructor.name]) ?? "not a dataset";
      throw new DeepRegLoaderError("NOT_A_DATASET", `${this.path}: "${key}" is ${kind}, expected a dataset`, {
        file: this.path,
        details: { key },
      });
    }
    const entry = { dataset: entity, metadata: this.#call(key, "inspect", () => entity.metadata) };
    this.#entries.set(key, entry);
    return entry;
  }

  /** `INVALID_ARGUMENT` unless `channel` indexes the last axis of a 4D shape (or is 0 of a 3D one). */
  #checkChannel(key: string, shape: readonly number[], channel: number): void {
    const channels = shape.length === 4 ? (shape[3] as number) : shape.length === 3 ? 1 : 0;
    if (channels === 0) {
      throw new DeepRegLoaderError(
        "INVALID_ARGUMENT",
        `${this.path}: a channel can be read from a 3D or 4D dataset, "${key}" has shape [${shape.join(", ")}]`,
        { file: this.path, details: { key, shape: [...shape], channel } },
      );
    }
    if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
      throw new DeepRegLoaderError(
        "INVALID_ARGUMENT",
        `${this.path}: channel ${channel} is out of range for dataset "${key}" of shape [${shape.join(", ")}] (${channels} channel${channels === 1 ? "" : "s"})`,
        { file: this.path, details: { key, shape: [...shape], channel, channels } },
      );
    }
  }

  #shape(key: string, metadata: KeyMetadata): number[] {
    if (!metadata.shape) {
      throw new DeepRegLoaderError(
        "SHAPE",
        `${this.path}: dataset "${key}" has a null dataspace (h5py.Empty): no shape and no values`,
        { file: this.path, details: { key } },
      );
    }
    return metadata.shape;
  }
}

/** The native description of a dataset in the terms of h5wasm's metadata. */
function nativeMetadata(info: DatasetInfo): KeyMetadata {
  const { shape, type, storage } = info;
  return { shape: [...shape], type: type.typeClass, size: type.size, signed: type.signed, chunks: storage.kind === "chunked" ? [...storage.dims] : null };
}

/** What the native reader must agree with: h5wasm's view of the dataset. */
function expectation(shape: readonly number[], metadata: KeyMetadata): ExpectedDataset {
  return { shape, type: metadata.type, size: metadata.size, signed: metadata.signed, chunks: metadata.chunks ?? null };
}

function openError(path: string, error: unknown): DeepRegLoaderError {
  const summary = hdf5ErrorSummary(error);
  if (isTruncationError(error)) {
    return new DeepRegLoaderError("TRUNCATED", `${path}: the HDF5 file is truncated (${summary})`, { file: path, cause: error });
  }
  if (isSignatureError(error)) {
    return new DeepRegLoaderError("NOT_HDF5", `${path}: not an HDF5 file (${summary})`, { file: path, cause: error });
  }
  return new DeepRegLoaderError("READ_FAILED", `${path}: cannot open the HDF5 file: ${summary}`, { file: path, cause: error });
}

/**
 * The file described by the native reader alone (see `NativeH5.describeAll`), or undefined:
 * then it is opened through h5wasm, which lists, inspects and reports errors as it always has.
 */
function openNatively(path: string): { native: NativeH5; listing: NativeListing } | undefined {
  const native = new NativeH5(path);
  try {
    return { native, listing: native.describeAll() };
  } catch {
    native.close();
    return undefined;
  }
}

/**
 * Opens an HDF5 file read-only. When the native reader understands the whole file (every
 * top-level name a dataset of a supported type and layout: DeepReg's files, h5py's and
 * `writeH5`'s usual ones) it is opened without h5wasm; otherwise through h5wasm (initialised
 * on first use, once per thread).
 *
 * Throws `DeepRegLoaderError`: `NOT_FOUND`, `EMPTY`, `NOT_HDF5`, `TRUNCATED`, `READ_FAILED`
 * (directory, permissions, corrupt metadata), each naming the file.
 *
 * @example
 * ```ts
 * import { createVolume } from "@deepreg-loader/core";
 * import { openH5, writeH5 } from "@deepreg-loader/io-h5";
 *
 * const image = createVolume(Float32Array.from({ length: 60 }, (_, i) => i / 10), [5, 4, 3]);
 * const label = { data: Int16Array.from({ length: 60 }, (_, i) => i % 2), shape: [5, 4, 3] };
 * await writeH5("pair.h5", { "case-b": image, "case-a": label }, { compression: "gzip" });
 *
 * const h5 = await openH5("pair.h5");
 * try {
 *   console.log(h5.keys()); // [ 'case-a', 'case-b' ]
 *   console.log(h5.shape("case-a"), h5.dtype("case-a")); // [ 5, 4, 3 ] int16
 *   const volume = h5.read("case-b"); // float32, row-major
 *   console.log(volume.shape, volume.get(4, 3, 2)); // [ 5, 4, 3 ] 5.900000095367432
 * } finally {
 *   h5.close();
 * }
 * ```
 */
export async function openH5(path: string, options: OpenH5Options = {}): Promise<H5File> {
  const slabBytes = options.slabBytes ?? DEFAULT_SLAB_BYTES;
  if (!(slabBytes >= 8) || !Number.isFinite(slabBytes)) {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", `openH5: slabBytes must be a number >= 8, found ${slabBytes}`, { file: path });
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!(maxBytes >= 0)) {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", `openH5: maxBytes must be a number >= 0, found ${maxBytes}`, { file: path });
  }
  const native = (options.native ?? true) && process.env.DEEPREG_LOADER_H5_NATIVE !== "0";
  await checkH5File(path);
  if (native) {
    const opened = openNatively(path);
    if (opened) return new OpenH5File(path, opened, opened.listing.keys.sort(), { slabBytes, maxBytes, native });
  }
  const instance = await loadH5wasm();
  const { h5 } = instance;
  let file: H5wasmFile;
  try {
    file = quiet(() => new h5.File(resolve(path), "r")).value;
  } catch (error) {
    if (isWasmTrap(error)) discardH5wasm(instance);
    throw openError(path, error);
  }
  if (file.file_id < 0n) {
    throw new DeepRegLoaderError("READ_FAILED", `${path}: cannot open the HDF5 file (file id ${file.file_id})`, { file: path });
  }
  let keys: string[];
  try {
    const listed = quiet(() => file.keys());
    keys = listed.value.sort();
    checkKeys(path, keys, listed.printed);
  } catch (error) {
    if (isWasmTrap(error)) discardH5wasm(instance);
    try {
      if (!instance.broken) quiet(() => file.close());
    } catch {
      // The listing error is the one to report.
    }
    if (error instanceof DeepRegLoaderError) throw error;
    throw new DeepRegLoaderError("READ_FAILED", `${path}: cannot list the keys: ${hdf5ErrorSummary(error)}`, { file: path, cause: error });
  }
  return new OpenH5File(path, { wasm: { instance, file } }, keys, { slabBytes, maxBytes, native });
}

/** A UTF-16 surrogate without its pair: what h5wasm makes of bytes that are not UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * `READ_FAILED` for top-level names that are not valid UTF-8 (h5wasm decodes them into
 * other, wrong names and warns "Invalid UTF-8") or that occur twice (a damaged link table:
 * the second would read the first's dataset).
 */
function checkKeys(path: string, sortedKeys: readonly string[], printed: string): void {
  const invalid = sortedKeys.filter((key) => LONE_SURROGATE.test(key) || key.includes("\uFFFD"));
  if (invalid.length > 0 || /Invalid UTF-8/i.test(printed)) {
    const shown = invalid.length > 0 ? ` (decoded as ${quoteList(invalid)})` : "";
    throw new DeepRegLoaderError(
      "READ_FAILED",
      `${path}: the file has top-level names that are not valid UTF-8${shown}; HDF5 names must be UTF-8 (or ASCII)`,
      { file: path, details: { keys: invalid } },
    );
  }
  const duplicates = sortedKeys.filter((key, i) => i > 0 && sortedKeys[i - 1] === key);
  if (duplicates.length > 0) {
    throw new DeepRegLoaderError(
      "READ_FAILED",
      `${path}: the file lists the name${duplicates.length === 1 ? "" : "s"} ${quoteList([...new Set(duplicates)])} more than once; its link table is damaged`,
      { file: path, details: { duplicates: [...new Set(duplicates)] } },
    );
  }
}
