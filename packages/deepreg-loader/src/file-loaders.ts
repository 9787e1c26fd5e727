import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { DataFormat, DataSource, FileLoader, Volume } from "@deepreg-loader/core";
import type { H5File } from "@deepreg-loader/io-h5";
import { readNifti, readNiftiHeader } from "@deepreg-loader/io-nifti";
import type { NiftiEntry } from "./layout-ids.js";
import { withSource } from "./pipeline/prepare-volume.js";

/** Options of `FormatFileLoader.read`. */
export interface ReadVolumeOptions {
  /** Read only `[..., channel]` of a 4D label, as a 3D volume. Default: the whole volume. */
  channel?: number;
}

/** A `FileLoader` that also says which format its sources are in. */
export interface FormatFileLoader extends FileLoader {
  readonly format: DataFormat;
  read(index: number, options?: ReadVolumeOptions): Promise<Volume>;
}

function outOfRange(index: number, count: number): DeepRegLoaderError {
  return new DeepRegLoaderError("INVALID_ARGUMENT", `observation index ${index} is out of range (0..${count - 1})`, {
    details: { index, count },
  });
}

/** The files of one NIfTI top folder (or any list of files), in the given order. */
export function createNiftiLoader(entries: readonly NiftiEntry[]): FormatFileLoader {
  const list = entries.map((e) => ({ ...e }));
  const entry = (index: number): NiftiEntry => {
    const e = list[index];
    if (e === undefined) throw outOfRange(index, list.length);
    return e;
  };
  return {
    format: "nifti",
    ids: list.map((e) => e.id),
    source: (index) => {
      const { id, path } = entry(index);
      return { id, path };
    },
    shape: async (index) => {
      const { path } = entry(index);
      try {
        return [...(await readNiftiHeader(path)).shape];
      } catch (error) {
        throw withSource(error, { path });
      }
    },
    read: async (index, options = {}) => {
      const { path } = entry(index);
      try {
        return await readNifti(path, options);
      } catch (error) {
        throw withSource(error, { path });
      }
    },
    close: async () => undefined,
  };
}

/**
 * The datasets `keys` of an open H5 file, in the given order (ids are the keys). Owns the file:
 * `close()` closes it.
 */
export function createH5Loader(file: H5File, keys: readonly string[]): FormatFileLoader {
  const list = [...keys];
  const key = (index: number): string => {
    const k = list[index];
    if (k === undefined) throw outOfRange(index, list.length);
    return k;
  };
  return {
    format: "h5",
    ids: list,
    source: (index) => ({ id: key(index), path: file.path, key: key(index) }),
    shape: async (index) => {
      try {
        return file.shape(key(index));
      } catch (error) {
        throw withSource(error, { path: file.path, key: key(index) });
      }
    },
    read: async (index, options = {}): Promise<Volume> => {
      try {
        return file.read(key(index), options);
      } catch (error) {
        throw withSource(error, { path: file.path, key: key(index) });
      }
    },
    close: async () => file.close(),
  };
}

/** Loaders one after the other (several data directories, in config order). */
export function concatLoaders(loaders: readonly FormatFileLoader[]): FormatFileLoader {
  const first = loaders[0];
  if (first === undefined) throw new DeepRegLoaderError("INVALID_ARGUMENT", "concatLoaders: expected at least one loader");
  if (loaders.length === 1) return first;
  const offsets: number[] = [];
  let total = 0;
  for (const loader of loaders) {
    offsets.push(total);
    total += loader.ids.length;
  }
  const locate = (index: number): { loader: FormatFileLoader; local: number } => {
    if (!Number.isInteger(index) || index < 0 || index >= total) throw outOfRange(index, total);
    let k = loaders.length - 1;
    while ((offsets[k] as number) > index) k--;
    return { loader: loaders[k] as FormatFileLoader, local: index - (offsets[k] as number) };
  };
  return {
    format: first.format,
    ids: loaders.flatMap((l) => l.ids),
    source: (index): DataSource => {
      const { loader, local } = locate(index);
      return loader.source(local);
    },
    shape: (index) => {
      const { loader, local } = locate(index);
      return loader.shape(local);
    },
    read: (index, options) => {
      const { loader, local } = locate(index);
      return loader.read(local, options);
    },
    close: async () => {
      await Promise.all(loaders.map((l) => l.close()));
    },
  };
}
