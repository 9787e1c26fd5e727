// dataset/scan.ts: the one scan of a split: data directories, top folders/files, ids, groups,
// headers and (when asked) decoded value ranges. Never throws for a data problem: what it
// cannot read becomes an observed problem; the rules (rules.ts) judge the rest.
// May import core, config (types), io-nifti, io-h5 and the other dataset/ files.
import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { posix, join, resolve } from "node:path";
import type { DataFormat, DatasetType, Split } from "@deepreg-loader/core";
import type { DatasetConfig } from "@deepreg-loader/config";
import { listH5Keys, listNiftiFolder, parseGroupKey } from "./list-files.js";
import { topNames } from "./layout-names.js";
import type { TopName } from "./layout-names.js";
import { problem, warning } from "./problem.js";
import type { Problem } from "./problem.js";
import { readVolumes } from "./read-volumes.js";

/** Value range of a decoded volume. */
export interface ValueRange {
  min: number;
  max: number;
}

/** One volume of a top folder/file: a NIfTI file or an H5 key. */
export interface ScannedVolume {
  /** Relative path without `.nii`/`.nii.gz` (NIfTI, `/`-separated), or the H5 key. */
  id: string;
  /** The file to read (NIfTI file, or the H5 file). */
  file: string;
  /** The H5 key. */
  key?: string;
  /** Grouped data: the group (NIfTI: folder relative to `images/`; H5: `<g>` of `group-<g>-<i>` as written). */
  group?: string;
  /** Shape from the header (H5: dataset shape), when it could be read. */
  shape?: number[];
  /** Value range, when decoded. */
  range?: ValueRange;
}

/** A top folder (NIfTI) or file (H5) of a data directory and its volumes (sorted by id). */
export interface ScannedTop {
  /** The top's name in the layout (e.g. `moving_images`, `images`; see `LAYOUT_FOLDERS`). */
  name: TopName;
  /** Whether it holds images or labels. */
  kind: "image" | "label";
  /** Folder (NIfTI) or `.h5` file (H5). */
  path: string;
  /** Its volumes, sorted by id. */
  volumes: ScannedVolume[];
}

/** One data directory: the tops that could be listed. */
export interface ScannedDir {
  /** Resolved path (`~` expanded). */
  dir: string;
  /** The tops of the directory that could be listed. */
  tops: ScannedTop[];
}

/** What the scan of one split saw. */
export interface DatasetScan {
  /** The split scanned. */
  split: Split;
  /** The dataset type of the config. */
  type: DatasetType;
  /** Undefined when the config has no directory for the split. */
  format: DataFormat | undefined;
  /** Whether the config says the split is labeled. */
  labeled: boolean;
  /** The split's data directories, in config order. */
  dirs: ScannedDir[];
  /** Problems met while listing and reading (missing, empty, unreadable); warnings for skipped hidden files. */
  observed: Problem[];
  /** Whether every volume was decoded (value ranges known). */
  decoded: boolean;
  /** Files opened (NIfTI files and H5 files). */
  filesChecked: number;
  /** Volumes whose header was read (NIfTI files and H5 keys). */
  volumesChecked: number;
  /** Images and labels decoded. */
  imagesRead: number;
  /** Labels decoded. */
  labelsRead: number;
}

/** Progress of a scan: `done` of `total` volumes read, the last one being `file` (and `key`). */
export interface ScanProgress {
  /** Volumes read so far. */
  done: number;
  /** Volumes to read in all. */
  total: number;
  /** The file read last. */
  file: string;
  /** The H5 key read last (H5 data). */
  key?: string;
}

/** Options of {@link scanSplit}. */
export interface ScanOptions {
  /** Directory the config's relative `dir`s are resolved against. Default `process.cwd()` (like DeepReg). */
  cwd?: string;
  /** Decode every volume (value ranges, corrupt compressed data). Default false: headers only. */
  decode?: boolean;
  /** Worker threads that decode (the loader's pool); 0 decodes on the main thread. Default 0. */
  workers?: number;
  /** Called after each volume is read. */
  onProgress?: (progress: ScanProgress) => void;
  /** The readers' size cap for decoding (bytes of float32 output per volume). Default core's `DEFAULT_MAX_BYTES`. */
  maxBytes?: number;
}

/** `~` and `~/x` in a data dir mean the home directory (DeepReg calls `os.path.expanduser`). */
export function resolveDataDir(dir: string, cwd: string): string {
  if (dir === "~") return homedir();
  if (dir.startsWith("~/")) return join(homedir(), dir.slice(2));
  return resolve(cwd, dir);
}

/** Scans `split` of `config` (see the file header). */
export async function scanSplit(config: DatasetConfig, split: Split, options: ScanOptions = {}): Promise<DatasetScan> {
  const cwd = options.cwd ?? process.cwd();
  const splitConfig = config[split];
  const scan: DatasetScan = {
    split,
    type: config.type,
    format: splitConfig?.format,
    labeled: splitConfig?.labeled ?? false,
    dirs: [],
    observed: [],
    decoded: options.decode ?? false,
    filesChecked: 0,
    volumesChecked: 0,
    imagesRead: 0,
    labelsRead: 0,
  };
  if (splitConfig === null || splitConfig === undefined) {
    scan.observed.push({
      severity: "error",
      rule: "scan",
      code: "NOT_FOUND",
      message: `dataset.${split}: the config gives no data directory for this split`,
    });
    return scan;
  }
  for (const [k, written] of splitConfig.dir.entries()) {
    const dir = resolveDataDir(written, cwd);
    scan.dirs.push(await scanDir(dir, scan, `dataset.${split}.dir${splitConfig.dir.length > 1 ? `[${k}]` : ""}`));
  }
  await readVolumes(scan, options);
  return scan;
}

async function scanDir(dir: string, scan: DatasetScan, dotPath: string): Promise<ScannedDir> {
  const out: ScannedDir = { dir, tops: [] };
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    const text = info === undefined ? `data directory not found (looked for ${dir})` : `expected a data directory (${dotPath}), found a file`;
    scan.observed.push(problem("scan", "NOT_FOUND", dir, undefined, text));
    return out;
  }
  for (const top of topNames(scan.type, scan.labeled)) {
    const listed = scan.format === "h5" ? await scanH5Top(dir, top.name, scan) : await scanNiftiTop(dir, top.name, scan);
    if (listed !== undefined) out.tops.push({ ...top, ...listed });
  }
  return out;
}

async function scanNiftiTop(dir: string, name: TopName, scan: DatasetScan): Promise<Omit<ScannedTop, "name" | "kind"> | undefined> {
  const path = join(dir, name);
  const listing = await listNiftiFolder(path);
  for (const p of listing.problems) scan.observed.push(listing.status === "missing" ? await withFormatHint(p, dir, name, "h5") : p);
  for (const file of listing.hidden) {
    scan.observed.push(warning("scan", "NOT_NIFTI", file, undefined, "hidden file skipped (its name or a folder on its path starts with '.'), as DeepReg skips it"));
  }
  if (listing.status === "missing") return undefined;
  const volumes = listing.entries.map((e): ScannedVolume => {
    const v: ScannedVolume = { id: e.id, file: e.path };
    if (scan.type === "grouped") v.group = posix.dirname(e.id);
    return v;
  });
  return { path, volumes };
}

async function scanH5Top(dir: string, name: TopName, scan: DatasetScan): Promise<Omit<ScannedTop, "name" | "kind"> | undefined> {
  const path = join(dir, `${name}.h5`);
  const listed = await listH5Keys(path);
  if ("problem" in listed) {
    scan.observed.push(listed.missing ? await withFormatHint(listed.problem, dir, name, "nifti") : listed.problem);
    return undefined;
  }
  if (listed.keys.length === 0) scan.observed.push(problem("scan", "EMPTY", path, undefined, "the HDF5 file has no keys"));
  const volumes = listed.keys.map((key): ScannedVolume => {
    const v: ScannedVolume = { id: key, file: path, key };
    const parsed = scan.type === "grouped" ? parseGroupKey(key) : undefined;
    if (parsed !== undefined) v.group = parsed.group;
    return v;
  });
  return { path, volumes };
}

/** A missing top whose other-format twin exists: `(found moving_images.h5 — is format h5?)`. */
async function withFormatHint(p: Problem, dir: string, name: string, other: DataFormat): Promise<Problem> {
  const twin = join(dir, other === "h5" ? `${name}.h5` : name);
  const info = await stat(twin).catch(() => undefined);
  const found = other === "h5" ? info?.isFile() : info?.isDirectory();
  if (found !== true) return p;
  return { ...p, message: `${p.message} (found ${other === "h5" ? `${name}.h5` : `${name}/`} — is format ${other}?)` };
}
