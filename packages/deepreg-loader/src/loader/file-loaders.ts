// loader/file-loaders.ts: a `FileLoader` over a list of volumes (NIfTI files or keys of open H5
// files) in the order the layout gives. May import core, io-nifti, io-h5 and pipeline/.
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { DataFormat, DataSource, FileLoader, Volume } from "@deepreg-loader/core";
import type { H5File } from "@deepreg-loader/io-h5";
import { readNifti, readNiftiHeader, readNiftiRaw } from "@deepreg-loader/io-nifti";
import type { NiftiReadScratch, RawNiftiVoxels } from "@deepreg-loader/io-nifti";
import { withSource } from "../pipeline/prepare-volume.js";

/** Options of `FormatFileLoader.read`. */
export interface ReadVolumeOptions {
  /** Read only `[..., channel]` of a 4D label, as a 3D volume. Default: the whole volume. */
  channel?: number;
  /**
   * `readRaw` only: memory the read re-uses for the file's bytes and its inflated stream
   * (io-nifti's `scratch`); the raw voxels then view it, so it serves one read at a time.
   */
  scratch?: NiftiReadScratch;
}

/** A `FileLoader` that also says which format its sources are in. */
export interface FormatFileLoader extends FileLoader {
  /** The format of every source: `nifti` or `h5`. */
  readonly format: DataFormat;
  /** The readers' size cap given to the loader (`maxBytes`), or undefined for the default. */
  readonly maxBytes?: number;
  /** Volume `index` (into `ids`) as a row-major float32 volume; with `channel`, that channel of a 4D label. */
  read(index: number, options?: ReadVolumeOptions): Promise<Volume>;
  /** NIfTI only: the stored voxels, not reordered (see `prepareRawVolume`). */
  readRaw?: (index: number, options?: ReadVolumeOptions) => Promise<RawNiftiVoxels>;
}

/**
 * The volumes `sources` in the given order: NIfTI files (`path`), or H5 keys (`path`, `key`)
 * of the files in `h5Files` (opened and closed by the caller, with the same `maxBytes`).
 * `maxBytes` is the NIfTI reader's size cap (default core's `DEFAULT_MAX_BYTES`). `close()` does nothing.
 */
export function createFileLoader(
  format: DataFormat,
  sources: readonly DataSource[],
  h5Files: ReadonlyMap<string, H5File> = new Map(),
  maxBytes?: number,
): FormatFileLoader {
  const list = sources.map((s) => ({ ...s }));
  const source = (index: number): DataSource => {
    const s = list[index];
    if (s === undefined) {
      throw new DeepRegLoaderError("INVALID_ARGUMENT", `observation index ${index} is out of range (0..${list.length - 1})`, {
        details: { index, count: list.length },
      });
    }
    return s;
  };
  const h5 = (s: DataSource): H5File => {
    const file = h5Files.get(s.path);
    if (file === undefined) throw new DeepRegLoaderError("CLOSED", `${s.path}: the H5 file is not open`, { file: s.path });
    return file;
  };
  const cap = maxBytes === undefined ? {} : { maxBytes };
  return {
    format,
    ...cap,
    ids: list.map((s) => s.id),
    source: (index) => ({ ...source(index) }),
    shape: async (index) => {
      const s = source(index);
      try {
        return format === "h5" ? h5(s).shape(s.key as string) : [...(await readNiftiHeader(s.path)).shape];
      } catch (error) {
        throw withSource(error, s);
      }
    },
    read: async (index, { channel } = {}) => {
      const s = source(index);
      const options = channel === undefined ? {} : { channel };
      try {
        return format === "h5" ? h5(s).read(s.key as string, options) : await readNifti(s.path, { ...options, ...cap });
      } catch (error) {
        throw withSource(error, s);
      }
    },
    ...(format === "nifti"
      ? {
          readRaw: async (index: number, options: ReadVolumeOptions = {}) => {
            const s = source(index);
            try {
              return await readNiftiRaw(s.path, { ...options, ...cap });
            } catch (error) {
              throw withSource(error, s);
            }
          },
        }
      : {}),
    close: async () => undefined,
  };
}
