// dataset/list-files.ts: what a data directory holds, as DeepReg lists it: NIfTI files under a
// folder (hidden names skipped, as Python's glob does), H5 keys, grouped key names. Never throws
// for data problems: they come back as problems. May import core, io-h5 and dataset/problem.
import { readdir, realpath, stat } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import { openH5 } from "@deepreg-loader/io-h5";
import { problem, problemFromError } from "./problem.js";
import type { Problem } from "./problem.js";

/** A NIfTI file of a top folder: `id` is its path relative to the folder, `/`-separated, without suffix. */
export interface NiftiEntry {
  id: string;
  path: string;
}

/** Suffixes of NIfTI files, longest first. */
export const NIFTI_SUFFIXES: readonly string[] = [".nii.gz", ".nii"];

/** The id of a NIfTI file name or relative path (suffix removed), or undefined for other files. */
export function niftiId(relativePath: string): string | undefined {
  const suffix = NIFTI_SUFFIXES.find((s) => relativePath.endsWith(s));
  return suffix === undefined ? undefined : relativePath.slice(0, -suffix.length);
}

/** Code-unit order, like Python's `sorted()` on strings (never `localeCompare`). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What one folder holds. */
export interface NiftiListing {
  /** NIfTI files sorted by id (code units). */
  entries: NiftiEntry[];
  /** NIfTI files skipped because their name (or a folder on the way) starts with `.`. */
  hidden: string[];
  problems: Problem[];
  /** `missing`: no folder (or a file); `listed`: the folder was read (maybe empty). */
  status: "missing" | "listed";
}

/**
 * The NIfTI files (`.nii`, `.nii.gz`) under `folder`, nested folders too (symbolic links
 * followed), sorted by id. Names starting with `.` (macOS `._case1.nii.gz`, `.git/`) are
 * skipped, as DeepReg's `glob` skips them; hidden NIfTI files are returned in `hidden`.
 * Problems: `NOT_FOUND` (no folder), `EMPTY` (no NIfTI file), `IDS_MISMATCH` (`a.nii` beside `a.nii.gz`),
 * `READ_FAILED` for a folder that cannot be read and for a symbolic link that leads back into a
 * folder containing it (a loop) or to a folder already listed through another path: every
 * folder is walked once, by real path, so listing costs one pass over what is there.
 */
export async function listNiftiFolder(folder: string): Promise<NiftiListing> {
  const info = await stat(folder).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    const found = info === undefined ? "nothing" : "a file";
    return {
      entries: [],
      hidden: [],
      status: "missing",
      problems: [problem("scan", "NOT_FOUND", folder, undefined, `expected a folder of NIfTI files (.nii, .nii.gz), found ${found}`)],
    };
  }
  const byId = new Map<string, string>();
  const hidden: string[] = [];
  const problems: Problem[] = [];
  // Real path of every folder walked -> the path it was walked as; the real paths of the
  // folders on the way down to the current one (a link to one of them is a loop).
  const walked = new Map<string, string>();
  const above = new Set<string>();
  const walk = async (dir: string, hiddenDir: boolean): Promise<void> => {
    let real: string;
    try {
      real = await realpath(dir);
    } catch (error) {
      problems.push(problemFromError(error, dir));
      return;
    }
    const seen = walked.get(real);
    if (seen !== undefined) {
      // A hidden folder is skipped anyway (as DeepReg skips it): nothing to report.
      if (hiddenDir) return;
      problems.push(
        above.has(real)
          ? problem("scan", "READ_FAILED", dir, undefined, `symbolic link loop: leads back to ${seen}, a folder containing it; remove the link`)
          : problem("scan", "READ_FAILED", dir, undefined, `leads to ${seen} again (a folder reached twice through symbolic links); link each folder once`),
      );
      return;
    }
    walked.set(real, dir);
    above.add(real);
    try {
      await walkEntries(dir, hiddenDir);
    } finally {
      above.delete(real);
    }
  };
  const walkEntries = async (dir: string, hiddenDir: boolean): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      problems.push(problemFromError(error, dir));
      return;
    }
    entries.sort((a, b) => compareCodeUnits(a.name, b.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const isHidden = hiddenDir || entry.name.startsWith(".");
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(path).catch(() => undefined);
        isDir = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      if (isDir) {
        await walk(path, isHidden);
        continue;
      }
      if (!isFile) continue;
      const id = niftiId(relative(folder, path).split(sep).join(posix.sep));
      if (id === undefined) continue;
      if (isHidden) {
        hidden.push(path);
        continue;
      }
      const other = byId.get(id);
      if (other !== undefined) {
        problems.push(problem("scan", "IDS_MISMATCH", path, undefined, `two files have the id "${id}": ${other} and ${path}; keep one`));
        continue;
      }
      byId.set(id, path);
    }
  };
  await walk(folder, false);
  if (byId.size === 0 && problems.length === 0) {
    problems.push(problem("scan", "EMPTY", folder, undefined, "expected NIfTI files (.nii, .nii.gz), found none"));
  }
  const entries = [...byId.keys()].sort(compareCodeUnits).map((id) => ({ id, path: byId.get(id) as string }));
  return { entries, hidden, problems, status: "listed" };
}

/** The keys of an H5 file, or the problem that kept them from being read. */
export async function listH5Keys(path: string): Promise<{ keys: string[] } | { problem: Problem; missing: boolean }> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    const found = info === undefined ? "no such HDF5 file" : "expected an HDF5 file, found a folder";
    return { missing: true, problem: problem("scan", "NOT_FOUND", path, undefined, found) };
  }
  try {
    const h5 = await openH5(path);
    try {
      return { keys: h5.keys().sort(compareCodeUnits) };
    } finally {
      h5.close();
    }
  } catch (error) {
    return { missing: false, problem: problemFromError(error, path) };
  }
}

/** The group name and image number of a grouped H5 key `group-<g>-<i>` (`g` as written), or undefined. */
export function parseGroupKey(key: string): { group: string; image: number } | undefined {
  const match = /^group-(\d+)-(\d+)$/.exec(key);
  if (match === null) return undefined;
  return { group: match[1] as string, image: Number(match[2]) };
}
