import { stat } from "node:fs/promises";
import { join, posix, resolve } from "node:path";
import { DeepRegLoaderError, isDeepRegLoaderError } from "@deepreg-loader/core";
import type { DataFormat, DatasetType, Split } from "@deepreg-loader/core";
import type { DatasetConfig, SplitConfig } from "@deepreg-loader/config";
import { openH5 } from "@deepreg-loader/io-h5";
import type { H5File } from "@deepreg-loader/io-h5";
import { concatLoaders, createH5Loader, createNiftiLoader } from "./file-loaders.js";
import type { FormatFileLoader } from "./file-loaders.js";
import { assertSameIds, groupH5Keys, listNiftiFiles, sortIds } from "./layout-ids.js";
import type { NiftiEntry } from "./layout-ids.js";

/** Top folders (NIfTI) or file stems (H5, plus `.h5`) of each dataset type, images first. */
export const LAYOUT_FOLDERS = {
  paired: {
    images: ["moving_images", "fixed_images"],
    labels: ["moving_labels", "fixed_labels"],
  },
  unpaired: { images: ["images"], labels: ["labels"] },
  grouped: { images: ["images"], labels: ["labels"] },
} as const satisfies Record<DatasetType, { images: readonly string[]; labels: readonly string[] }>;

/**
 * The folder names (`moving_images/`) or H5 file names (`moving_images.h5`) a data directory of
 * this type and format holds: images, then labels when `labeled`.
 */
export function layoutEntries(type: DatasetType, format: DataFormat, labeled: boolean): string[] {
  const { images, labels } = LAYOUT_FOLDERS[type];
  const names = labeled ? [...images, ...labels] : [...images];
  return names.map((n) => (format === "h5" ? `${n}.h5` : `${n}/`));
}

/**
 * The files of one split, opened: a loader per role over every data directory (in config
 * order). For unpaired and grouped data the moving and fixed loaders are the same object.
 * Grouped data also list the observations of each group.
 */
export interface SplitLayout {
  type: DatasetType;
  format: DataFormat;
  labeled: boolean;
  /** The data directories, resolved. */
  dirs: string[];
  movingImages: FormatFileLoader;
  fixedImages: FormatFileLoader;
  movingLabels: FormatFileLoader | null;
  fixedLabels: FormatFileLoader | null;
  /** Grouped: observation indices (into `movingImages`) of each group, in group order; else null. */
  groups: number[][] | null;
  /** Grouped: a name per group (`<dir>/images/<relative folder>` or `<dir>/images.h5 keys group-<g>-*`); else null. */
  groupNames: string[] | null;
  /** Closes open files (H5). */
  close(): Promise<void>;
}

/** Options of {@link openSplitLayout}. */
export interface OpenLayoutOptions {
  /** Directory that relative data dirs resolve against. Default `process.cwd()`. */
  cwd?: string;
}

/** One data directory's loaders before concatenation. */
interface DirParts {
  images: FormatFileLoader[];
  labels: FormatFileLoader[];
  groups: { name: string; size: number }[];
}

/**
 * Lists and opens the files of `split` of `config` (null when the split has no data dir).
 * Throws `NOT_FOUND` (missing data dir, folder or H5 file), `EMPTY` (no NIfTI file, no H5 key),
 * `IDS_MISMATCH` (ids differ between the folders/files of a data dir, naming which has which
 * extra ids), `BAD_KEY` (grouped H5 keys), or an H5 open error. Files opened before a failure
 * are closed.
 */
export async function openSplitLayout(
  config: DatasetConfig,
  split: Split,
  options: OpenLayoutOptions = {},
): Promise<SplitLayout | null> {
  const splitConfig: SplitConfig | null = config[split];
  if (splitConfig === null || splitConfig === undefined) return null;
  const cwd = options.cwd ?? process.cwd();
  const dirs = splitConfig.dir.map((d) => resolve(cwd, d));
  const { type } = config;
  const { format, labeled } = splitConfig;
  const opened: FormatFileLoader[] = [];
  try {
    const parts: DirParts[] = [];
    for (const [k, dir] of dirs.entries()) {
      const info = await stat(dir).catch(() => undefined);
      if (info === undefined || !info.isDirectory()) {
        throw new DeepRegLoaderError(
          "NOT_FOUND",
          `${dir} (dataset.${split}.dir${dirs.length > 1 ? `[${k}]` : ""}): expected a data directory holding ${layoutEntries(type, format, labeled).join(", ")}, found ${info === undefined ? "nothing" : "a file"}`,
          { file: dir },
        );
      }
      const dirParts = format === "nifti" ? await niftiDir(type, dir, labeled) : await h5Dir(type, dir, labeled, opened);
      if (format === "nifti") opened.push(...dirParts.images, ...dirParts.labels);
      parts.push(dirParts);
    }
    const role = (select: (p: DirParts) => FormatFileLoader | undefined): FormatFileLoader =>
      concatLoaders(parts.map((p) => select(p) as FormatFileLoader));
    const paired = type === "paired";
    const movingImages = role((p) => p.images[0]);
    const fixedImages = paired ? role((p) => p.images[1]) : movingImages;
    const movingLabels = labeled ? role((p) => p.labels[0]) : null;
    const fixedLabels = labeled ? (paired ? role((p) => p.labels[1]) : movingLabels) : null;
    let groups: number[][] | null = null;
    let groupNames: string[] | null = null;
    if (type === "grouped") {
      groups = [];
      groupNames = [];
      let offset = 0;
      for (const p of parts) {
        for (const g of p.groups) {
          groups.push(Array.from({ length: g.size }, (_, i) => offset + i));
          groupNames.push(g.name);
          offset += g.size;
        }
      }
    }
    let closed = false;
    return {
      type,
      format,
      labeled,
      dirs,
      movingImages,
      fixedImages,
      movingLabels,
      fixedLabels,
      groups,
      groupNames,
      close: async () => {
        if (closed) return;
        closed = true;
        await Promise.all(opened.map((l) => l.close()));
      },
    };
  } catch (error) {
    await Promise.allSettled(opened.map((l) => l.close()));
    throw error;
  }
}

async function niftiDir(type: DatasetType, dir: string, labeled: boolean): Promise<DirParts> {
  const { images, labels } = LAYOUT_FOLDERS[type];
  const names = labeled ? [...images, ...labels] : [...images];
  const listed: NiftiEntry[][] = [];
  for (const name of names) {
    const folder = join(dir, name);
    try {
      listed.push(await listNiftiFiles(folder));
    } catch (error) {
      if (!isDeepRegLoaderError(error, "NOT_FOUND") || error.file !== folder) throw error;
      const hint = await otherFormatHint(dir, name, "nifti");
      if (hint === "") throw error;
      throw new DeepRegLoaderError("NOT_FOUND", `${error.message}${hint}`, { file: folder, cause: error });
    }
  }
  assertSameIds(
    dir,
    names.map((name, k) => ({ name: `${name}/`, ids: (listed[k] as NiftiEntry[]).map((e) => e.id) })),
  );
  if (type !== "grouped") {
    const loaders = listed.map((entries) => createNiftiLoader(entries));
    return { images: loaders.slice(0, images.length), labels: loaders.slice(images.length), groups: [] };
  }
  // Grouped: the folder of a file is its group; groups by relative folder, images by file name.
  const byGroup = new Map<string, string[]>();
  for (const { id } of listed[0] as NiftiEntry[]) {
    const group = posix.dirname(id);
    const list = byGroup.get(group) ?? [];
    list.push(id);
    byGroup.set(group, list);
  }
  const groupIds = sortIds(byGroup.keys());
  const order = groupIds.flatMap((g) =>
    (byGroup.get(g) as string[]).sort((a, b) => compareCodeUnits(posix.basename(a), posix.basename(b))),
  );
  const reorder = (entries: NiftiEntry[]): NiftiEntry[] => {
    const byId = new Map(entries.map((e) => [e.id, e]));
    return order.map((id) => byId.get(id) as NiftiEntry);
  };
  const loaders = listed.map((entries) => createNiftiLoader(reorder(entries)));
  return {
    images: loaders.slice(0, 1),
    labels: loaders.slice(1),
    groups: groupIds.map((g) => ({
      name: g === "." ? join(dir, "images") : join(dir, "images", g),
      size: (byGroup.get(g) as string[]).length,
    })),
  };
}

async function h5Dir(type: DatasetType, dir: string, labeled: boolean, opened: FormatFileLoader[]): Promise<DirParts> {
  const { images, labels } = LAYOUT_FOLDERS[type];
  const names = labeled ? [...images, ...labels] : [...images];
  const files: H5File[] = [];
  try {
    for (const name of names) {
      const path = join(dir, `${name}.h5`);
      const info = await stat(path).catch(() => undefined);
      if (info === undefined || !info.isFile()) {
        throw new DeepRegLoaderError(
          "NOT_FOUND",
          `${path}: expected the H5 file ${name}.h5 in data directory ${dir} (${type} H5 layout: ${layoutEntries(type, "h5", labeled).join(", ")}), found ${info === undefined ? "nothing" : "a folder"}${await otherFormatHint(dir, name, "h5")}`,
          { file: path },
        );
      }
      const file = await openH5(path);
      files.push(file);
      if (file.keys().length === 0) {
        throw new DeepRegLoaderError("EMPTY", `${path}: expected datasets (one per observation), found no key`, { file: path });
      }
    }
  } catch (error) {
    for (const f of files) f.close();
    throw error;
  }
  const loadersOf = (keys: readonly string[]): FormatFileLoader[] => {
    const loaders = files.map((f) => createH5Loader(f, keys));
    opened.push(...loaders);
    return loaders;
  };
  try {
    assertSameIds(
      dir,
      names.map((name, k) => ({ name: `${name}.h5`, ids: (files[k] as H5File).keys() })),
    );
  } catch (error) {
    for (const f of files) f.close();
    throw error;
  }
  const first = files[0] as H5File;
  if (type !== "grouped") {
    const loaders = loadersOf(sortIds(first.keys()));
    return { images: loaders.slice(0, images.length), labels: loaders.slice(images.length), groups: [] };
  }
  let grouped: { group: number; keys: string[] }[];
  try {
    grouped = groupH5Keys(first.path, first.keys());
  } catch (error) {
    for (const f of files) f.close();
    throw error;
  }
  const loaders = loadersOf(grouped.flatMap((g) => g.keys));
  return {
    images: loaders.slice(0, 1),
    labels: loaders.slice(1),
    groups: grouped.map((g) => ({ name: `${first.path} keys ${groupKeyPattern(g.keys[0] as string)}`, size: g.keys.length })),
  };
}

/** `group-3-*` for the key `group-3-1` (the group's number as the keys write it). */
function groupKeyPattern(key: string): string {
  return `${key.slice(0, key.lastIndexOf("-") + 1)}*`;
}

/**
 * A hint for a missing NIfTI folder or H5 file when the data directory holds the other
 * format's entry of that name (` — the data directory holds moving_images/: is the split's format
 * nifti?`), else "".
 */
async function otherFormatHint(dir: string, name: string, format: DataFormat): Promise<string> {
  const other: DataFormat = format === "nifti" ? "h5" : "nifti";
  const info = await stat(join(dir, other === "h5" ? `${name}.h5` : name)).catch(() => undefined);
  const found = other === "h5" ? info?.isFile() : info?.isDirectory();
  return found === true
    ? ` — the data directory holds ${other === "h5" ? `${name}.h5` : `${name}/`}: is the split's format ${other}?`
    : "";
}

/** Code-unit order, like Python's string comparison. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
