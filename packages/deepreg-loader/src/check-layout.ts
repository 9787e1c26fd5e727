import { stat } from "node:fs/promises";
import { join } from "node:path";
import { isDeepRegLoaderError } from "@deepreg-loader/core";
import type { DatasetType, DataFormat, ErrorCode } from "@deepreg-loader/core";
import { openH5 } from "@deepreg-loader/io-h5";
import { listNiftiFiles, parseGroupKey } from "./layout-ids.js";
import type { NiftiEntry } from "./layout-ids.js";

/** The top folders (NIfTI) or files (H5, with `.h5`) of a data directory, as DeepReg names them. */
export type TopName = "moving_images" | "fixed_images" | "moving_labels" | "fixed_labels" | "images" | "labels";

/** One problem found by `checkDataset`: the file (or folder) it is about and a message naming it. */
export interface CheckProblem {
  /** The file or folder the problem is about (resolved path). */
  file?: string;
  /** The H5 key, for problems of one dataset in an H5 file. */
  key?: string;
  code: ErrorCode;
  /** One line naming the file (and key), saying what was expected and what was found. */
  message: string;
}

/** One observation (an image or a label) of a top folder: a NIfTI file or an H5 key. */
export interface Observation {
  /** Relative path without `.nii`/`.nii.gz` (NIfTI, `/`-separated), or the H5 key. */
  id: string;
  /** The file to read. */
  file: string;
  /** The H5 key. */
  key?: string;
  /** The group of grouped data: the relative folder under `images/` (NIfTI) or `<g>` of `group-<g>-<i>` (H5). */
  group?: string;
  /** Position in the group (H5 `<i>`); NIfTI images of a group are ordered by file name. */
  indexInGroup?: number;
}

/** The observations of one top folder of one data directory; absent when the folder could not be listed. */
export interface TopListing {
  name: TopName;
  kind: "image" | "label";
  /** Folder (NIfTI) or `.h5` file (H5). */
  path: string;
  observations: Observation[];
}

/** What `listDataDir` found in one data directory. */
export interface DataDirListing {
  dir: string;
  tops: TopListing[];
}

/** The top folders DeepReg expects for a dataset type, images first. */
export function topNames(type: DatasetType, labeled: boolean): { name: TopName; kind: "image" | "label" }[] {
  const tops: { name: TopName; kind: "image" | "label" }[] =
    type === "paired"
      ? [
          { name: "moving_images", kind: "image" },
          { name: "fixed_images", kind: "image" },
        ]
      : [{ name: "images", kind: "image" }];
  if (labeled) {
    if (type === "paired") {
      tops.push({ name: "moving_labels", kind: "label" }, { name: "fixed_labels", kind: "label" });
    } else {
      tops.push({ name: "labels", kind: "label" });
    }
  }
  return tops;
}

async function isDirectory(path: string): Promise<boolean | undefined> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return undefined;
  }
}

function parentOf(relPath: string): string {
  const slash = relPath.lastIndexOf("/");
  return slash < 0 ? "" : relPath.slice(0, slash);
}

/**
 * Lists the top folders/files of one data directory, adding a problem (instead of throwing) for
 * a missing directory (naming the absolute path looked for) or top folder, an empty one, an H5
 * file that cannot be opened, and a grouped H5 key that is not `group-<g>-<i>`. A missing top
 * whose other-format twin exists (`moving_images/` for `moving_images.h5`, and back) gets a
 * hint that `format` is probably wrong. Tops that could not be listed are left out.
 */
export async function listDataDir(
  dir: string,
  type: DatasetType,
  format: DataFormat,
  labeled: boolean,
  problems: CheckProblem[],
): Promise<DataDirListing> {
  const listing: DataDirListing = { dir, tops: [] };
  const isDir = await isDirectory(dir);
  if (isDir !== true) {
    problems.push({
      file: dir,
      code: "NOT_FOUND",
      message:
        isDir === false
          ? `${dir}: expected a data directory, found a file`
          : `${dir}: data directory not found (looked for ${dir})`,
    });
    return listing;
  }
  for (const top of topNames(type, labeled)) {
    const listed =
      format === "nifti"
        ? await listNiftiTop(dir, top.name, type, problems)
        : await listH5Top(dir, top.name, type, problems);
    if (listed) listing.tops.push({ ...top, ...listed });
  }
  return listing;
}

async function listNiftiTop(
  dir: string,
  name: TopName,
  type: DatasetType,
  problems: CheckProblem[],
): Promise<{ path: string; observations: Observation[] } | undefined> {
  const path = join(dir, name);
  let entries: NiftiEntry[];
  try {
    entries = await listNiftiFiles(path);
  } catch (error) {
    problems.push(await withFormatHint(problemFromError(error, path), `${path}.h5`, "file", `found ${name}.h5 — is format h5?`));
    // An empty folder is listed (with no observations) so its absence is not reported again.
    return isDeepRegLoaderError(error, "EMPTY") ? { path, observations: [] } : undefined;
  }
  const observations = entries.map((e): Observation => {
    const o: Observation = { id: e.id, file: e.path };
    if (type === "grouped") o.group = parentOf(e.id);
    return o;
  });
  return { path, observations };
}

async function listH5Top(
  dir: string,
  name: TopName,
  type: DatasetType,
  problems: CheckProblem[],
): Promise<{ path: string; observations: Observation[] } | undefined> {
  const path = join(dir, `${name}.h5`);
  let keys: string[];
  try {
    const h5 = await openH5(path);
    try {
      keys = h5.keys();
    } finally {
      h5.close();
    }
  } catch (error) {
    problems.push(await withFormatHint(problemFromError(error, path), join(dir, name), "folder", `found ${name}/ — is format nifti?`));
    return undefined;
  }
  if (keys.length === 0) {
    problems.push({ file: path, code: "EMPTY", message: `${path}: the HDF5 file has no keys` });
    return { path, observations: [] };
  }
  const observations: Observation[] = [];
  const seen = new Map<string, string>();
  for (const key of keys) {
    const o: Observation = { id: key, file: path, key };
    if (type === "grouped") {
      const parsed = parseGroupKey(key);
      if (!parsed) {
        problems.push({
          file: path,
          key,
          code: "BAD_KEY",
          message: `${path}: key ${JSON.stringify(key)} does not follow group-<g>-<i> (integers), as grouped H5 data needs`,
        });
        continue;
      }
      const pair = `${parsed.group}-${parsed.image}`;
      const previous = seen.get(pair);
      if (previous !== undefined) {
        problems.push({
          file: path,
          key,
          code: "BAD_KEY",
          message: `${path}: keys ${JSON.stringify(previous)} and ${JSON.stringify(key)} both name image ${parsed.image} of group ${parsed.group}`,
        });
        continue;
      }
      seen.set(pair, key);
      o.group = String(parsed.group);
      o.indexInGroup = parsed.image;
    }
    observations.push(o);
  }
  return { path, observations };
}

/**
 * `problem` with ` (<hint>)` appended when it is a NOT_FOUND and `other` (the same top in the
 * other format: `moving_images/` for `moving_images.h5`, and back) exists as a `kind`: the
 * config's `format` is probably wrong.
 */
async function withFormatHint(problem: CheckProblem, other: string, kind: "file" | "folder", hint: string): Promise<CheckProblem> {
  if (problem.code !== "NOT_FOUND") return problem;
  const isDir = await isDirectory(other);
  if (isDir === undefined || isDir !== (kind === "folder")) return problem;
  return { ...problem, message: `${problem.message} (${hint})` };
}

/** A problem from a thrown error: its code and message when it is a DeepRegLoaderError (which names the file), else READ_FAILED. */
export function problemFromError(error: unknown, file: string, key?: string): CheckProblem {
  const e = error as { code?: unknown; message?: unknown; name?: unknown };
  const isOurs = e?.name === "DeepRegLoaderError" && typeof e.code === "string";
  const message = typeof e?.message === "string" ? e.message : String(error);
  const where = key === undefined ? file : `${file} [${JSON.stringify(key)}]`;
  const problem: CheckProblem = {
    file,
    code: isOurs ? (e.code as ErrorCode) : "READ_FAILED",
    message: message.includes(file) ? message : `${where}: ${message}`,
  };
  if (key !== undefined) problem.key = key;
  return problem;
}
