import { rename, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { threadId } from "node:worker_threads";
import { DeepRegLoaderError, shapeSize } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import type { File as H5wasmFile } from "h5wasm";
import { discardH5wasm, loadH5wasm } from "./h5wasm.js";
import { isWasmTrap, quiet } from "./quiet.js";
import { hdf5ErrorSummary } from "./hdf5-error.js";
import type { NumericArray } from "./to-float32.js";

/** Typed arrays `writeH5` stores; the dataset keeps the array's type. */
export type H5TypedArray = NumericArray | Uint8ClampedArray;

/** Row-major values of any numeric type with their shape. */
export interface H5ArrayEntry {
  /** The values, row-major (C order); the dataset is stored with this array's type. */
  data: H5TypedArray;
  /** The dataset's shape; its size must equal `data.length`. */
  shape: readonly number[];
}

/** Options of `writeH5`. */
export interface WriteH5Options {
  /** `"gzip"` (HDF5 deflate) or undefined for none (default: none, contiguous layout). */
  compression?: "gzip";
  /** gzip level 0-9 (default 4, as h5py). */
  level?: number;
  /**
   * Chunk shape, one entry per axis of every dataset, clipped to each dataset's extent.
   * Default: contiguous without compression; with compression, the dataset's shape with its
   * largest axis halved until a chunk is at most 1 MiB.
   */
  chunks?: readonly number[];
}

/** Numpy-style dtype strings h5wasm understands, little-endian. */
const H5_DTYPES: ReadonlyArray<[new (n: number) => H5TypedArray, string]> = [
  [Float32Array, "<f"],
  [Float64Array, "<d"],
  [Int8Array, "<b"],
  [Uint8Array, "<B"],
  [Uint8ClampedArray, "<B"],
  [Int16Array, "<h"],
  [Uint16Array, "<H"],
  [Int32Array, "<i"],
  [Uint32Array, "<I"],
  [BigInt64Array, "<q"],
  [BigUint64Array, "<Q"],
];

const AUTO_CHUNK_BYTES = 2 ** 20;

let temporaryCounter = 0;

function invalid(file: string, message: string, key?: string): DeepRegLoaderError {
  return new DeepRegLoaderError("INVALID_ARGUMENT", `writeH5 ${file}: ${message}`, {
    file,
    details: key === undefined ? undefined : { key },
  });
}

function isVolume(entry: Volume | H5ArrayEntry): entry is Volume {
  return "stride" in entry && "offset" in entry;
}

/** The entry's values in row-major order with its shape; strided volume views are refused. */
function entryArray(file: string, key: string, entry: Volume | H5ArrayEntry): H5ArrayEntry {
  const shape = [...entry.shape];
  if (isVolume(entry)) {
    let expected = 1;
    let contiguous = entry.offset === 0;
    for (let k = shape.length - 1; k >= 0 && contiguous; k--) {
      const d = shape[k] as number;
      if (d > 1 && entry.stride[k] !== expected) contiguous = false;
      expected *= d;
    }
    if (!contiguous) {
      throw invalid(file, `volume "${key}" is a strided view (stride [${entry.stride.join(", ")}], offset ${entry.offset}); copy it to a contiguous volume first`, key);
    }
  }
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw invalid(file, `"${key}" has an invalid shape [${shape.join(", ")}]`, key);
  }
  const size = shapeSize(shape);
  if (entry.data.length !== size) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `writeH5 ${file}: "${key}" has ${entry.data.length} values, shape [${shape.join(", ")}] needs ${size}`,
      { file, details: { key, shape } },
    );
  }
  return { data: entry.data, shape };
}

function dtypeString(file: string, key: string, data: H5TypedArray): string {
  for (const [type, name] of H5_DTYPES) if (data instanceof type) return name;
  throw invalid(file, `"${key}" holds a ${(data as object).constructor.name}, expected a numeric typed array`, key);
}

/** Chunk shape for one dataset, or undefined for a contiguous layout. */
function chunkShape(file: string, key: string, shape: readonly number[], itemSize: number, options: WriteH5Options): number[] | undefined {
  if (shape.length === 0) return undefined; // scalars cannot be chunked
  if (options.chunks) {
    if (options.chunks.length !== shape.length || options.chunks.some((c) => !Number.isInteger(c) || c < 1)) {
      throw invalid(file, `chunks [${options.chunks.join(", ")}] do not fit "${key}" of shape [${shape.join(", ")}]: expected ${shape.length} positive integers`, key);
    }
    return options.chunks.map((c, k) => Math.min(c, Math.max(1, shape[k] as number)));
  }
  if (!options.compression) return undefined;
  const chunks = shape.map((d) => Math.max(1, d));
  while (shapeSize(chunks) * itemSize > AUTO_CHUNK_BYTES) {
    const largest = chunks.indexOf(Math.max(...chunks));
    chunks[largest] = Math.ceil((chunks[largest] as number) / 2);
  }
  return chunks;
}

/**
 * Writes numeric arrays as top-level datasets of a new HDF5 file (replacing `path`), readable
 * by h5py. Each dataset keeps its array's type (Float32Array -> float32, Int16Array -> int16,
 * ...), little-endian, row-major. The file is written beside `path` and renamed into place.
 *
 * Throws `INVALID_ARGUMENT` (bad key, options, strided view), `SHAPE` (values vs shape) and
 * `WRITE_FAILED` (h5wasm or the file system), naming the file and key.
 */
export async function writeH5(
  path: string,
  entries: Record<string, Volume | H5ArrayEntry>,
  options: WriteH5Options = {},
): Promise<void> {
  if (options.compression !== undefined && options.compression !== "gzip") {
    throw invalid(path, `compression must be "gzip" or undefined, found ${JSON.stringify(options.compression)}`);
  }
  const level = options.level ?? 4;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw invalid(path, `level must be an integer 0-9, found ${level}`);
  }
  const datasets = Object.entries(entries).map(([key, entry]) => {
    if (key === "" || key === "." || key.includes("/")) {
      throw invalid(path, `key ${JSON.stringify(key)} is not a top-level HDF5 name (non-empty, no "/")`, key);
    }
    const { data, shape } = entryArray(path, key, entry);
    const dtype = dtypeString(path, key, data);
    return { key, data, shape, dtype, chunks: chunkShape(path, key, shape, data.BYTES_PER_ELEMENT, options) };
  });

  const instance = await loadH5wasm();
  const { h5 } = instance;
  const target = resolve(path);
  const temporary = `${target}.${process.pid}-${threadId}-${temporaryCounter++}.tmp`;
  let file: H5wasmFile | undefined;
  let current: string | undefined;
  try {
    file = quiet(() => new h5.File(temporary, "w")).value;
    for (const { key, data, shape, dtype, chunks } of datasets) {
      current = key;
      const open = file;
      quiet(() => open.create_dataset({
        name: key,
        data,
        shape: [...shape],
        dtype,
        ...(chunks ? { chunks } : {}),
        ...(options.compression && chunks ? { compression: "gzip" as const, compression_opts: level } : {}),
      }));
    }
    current = undefined;
    const open = file;
    quiet(() => open.close());
    file = undefined;
    await rename(temporary, target);
  } catch (error) {
    if (isWasmTrap(error)) discardH5wasm(instance);
    try {
      if (!instance.broken) quiet(() => file?.close());
    } catch {
      // The first error is the one to report.
    }
    await rm(temporary, { force: true });
    const where = current === undefined ? "" : ` dataset "${current}":`;
    throw new DeepRegLoaderError("WRITE_FAILED", `${path}:${where} cannot write HDF5: ${hdf5ErrorSummary(error)}`, {
      file: path,
      cause: error,
      details: current === undefined ? undefined : { key: current },
    });
  }
}
