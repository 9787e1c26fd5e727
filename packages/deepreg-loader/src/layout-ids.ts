import { readdir, stat } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import { DeepRegLoaderError } from "@deepreg-loader/core";

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

/** Ids sorted by UTF-16 code unit, like Python's `sorted()` (a new array). */
export function sortIds(ids: Iterable<string>): string[] {
  return [...ids].sort();
}

/**
 * The NIfTI files (`.nii`, `.nii.gz`) under `folder`, in nested subfolders too (symbolic links
 * followed), sorted by id (docs/conventions.md "Ordering of ids"). Other files are ignored.
 * Throws `NOT_FOUND` when `folder` is missing or not a directory, `EMPTY` when it holds no
 * NIfTI file, `IDS_MISMATCH` when two files share an id (`a.nii` and `a.nii.gz`).
 */
export async function listNiftiFiles(folder: string): Promise<NiftiEntry[]> {
  const info = await stat(folder).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new DeepRegLoaderError(
      "NOT_FOUND",
      `${folder}: expected a folder of NIfTI files (.nii, .nii.gz), found ${info === undefined ? "nothing" : "a file"}`,
      { file: folder },
    );
  }
  const byId = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(path).catch(() => undefined);
        isDir = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      if (isDir) {
        await walk(path);
      } else if (isFile) {
        const id = niftiId(relative(folder, path).split(sep).join(posix.sep));
        if (id === undefined) continue;
        const other = byId.get(id);
        if (other !== undefined) {
          throw new DeepRegLoaderError(
            "IDS_MISMATCH",
            `${folder}: two files have the id "${id}": ${other} and ${path}; keep one`,
            { file: path, details: { id, files: [other, path] } },
          );
        }
        byId.set(id, path);
      }
    }
  };
  await walk(folder);
  if (byId.size === 0) {
    throw new DeepRegLoaderError("EMPTY", `${folder}: expected NIfTI files (.nii, .nii.gz), found none`, { file: folder });
  }
  return sortIds(byId.keys()).map((id) => ({ id, path: byId.get(id) as string }));
}

/** The ids of one folder or H5 file, named as the user sees it (`moving_images/`, `labels.h5`). */
export interface NamedIds {
  name: string;
  ids: readonly string[];
}

/** How the ids of `other` differ from those of `reference`. */
export interface IdsDifference {
  reference: string;
  other: string;
  /** Ids `reference` has and `other` lacks. */
  onlyInReference: string[];
  /** Ids `other` has and `reference` lacks. */
  onlyInOther: string[];
}

/** Compares every entry with the first; returns the differences (empty when all ids match). */
export function compareIds(named: readonly NamedIds[]): IdsDifference[] {
  const [first, ...rest] = named;
  if (first === undefined) return [];
  const reference = new Set(first.ids);
  const out: IdsDifference[] = [];
  for (const other of rest) {
    const otherSet = new Set(other.ids);
    const onlyInReference = sortIds(first.ids.filter((id) => !otherSet.has(id)));
    const onlyInOther = sortIds(other.ids.filter((id) => !reference.has(id)));
    if (onlyInReference.length > 0 || onlyInOther.length > 0) {
      out.push({ reference: first.name, other: other.name, onlyInReference, onlyInOther });
    }
  }
  return out;
}

/** `a, b, c` or `a, b, ... (12 ids)`. */
export function listIds(ids: readonly string[], max = 5): string {
  const shown = ids.slice(0, max).map((id) => JSON.stringify(id));
  return ids.length > max ? `${shown.join(", ")}, ... (${ids.length} ids)` : shown.join(", ");
}

/** One line per difference: which folder has which ids the other lacks. */
export function describeIdsDifference(d: IdsDifference): string {
  const parts: string[] = [];
  if (d.onlyInReference.length > 0) parts.push(`${d.reference} has ${listIds(d.onlyInReference)} that ${d.other} lacks`);
  if (d.onlyInOther.length > 0) parts.push(`${d.other} has ${listIds(d.onlyInOther)} that ${d.reference} lacks`);
  return parts.join("; ");
}

/** Throws `IDS_MISMATCH` listing the ids that differ when the entries' ids are not all equal. */
export function assertSameIds(where: string, named: readonly NamedIds[]): void {
  const differences = compareIds(named);
  if (differences.length === 0) return;
  throw new DeepRegLoaderError(
    "IDS_MISMATCH",
    `${where}: file ids must match across ${named.map((n) => n.name).join(", ")}: ${differences.map(describeIdsDifference).join("; ")}`,
    { file: where, details: { differences } },
  );
}

/** The numbers of a grouped H5 key `group-<g>-<i>`, or undefined when the key has another form. */
export function parseGroupKey(key: string): { group: number; image: number } | undefined {
  const match = /^group-(\d+)-(\d+)$/.exec(key);
  if (match === null) return undefined;
  return { group: Number(match[1]), image: Number(match[2]) };
}

/**
 * Grouped H5 keys by group: groups ordered by `g` as a number, images by `i` as a number
 * (`group-10-1` after `group-2-1`). Throws `BAD_KEY` naming `file` and the keys that do not
 * read as `group-<g>-<i>` or that repeat a (g, i) pair (`group-1-1`, `group-01-1`).
 */
export function groupH5Keys(file: string, keys: readonly string[]): { group: number; keys: string[] }[] {
  const bad: string[] = [];
  const seen = new Map<string, string>();
  const groups = new Map<number, { image: number; key: string }[]>();
  for (const key of keys) {
    const parsed = parseGroupKey(key);
    if (parsed === undefined) {
      bad.push(key);
      continue;
    }
    const pair = `${parsed.group}-${parsed.image}`;
    const previous = seen.get(pair);
    if (previous !== undefined) {
      throw new DeepRegLoaderError(
        "BAD_KEY",
        `${file}: keys "${previous}" and "${key}" both name image ${parsed.image} of group ${parsed.group}`,
        { file, details: { keys: [previous, key] } },
      );
    }
    seen.set(pair, key);
    const list = groups.get(parsed.group) ?? [];
    list.push({ image: parsed.image, key });
    groups.set(parsed.group, list);
  }
  if (bad.length > 0) {
    throw new DeepRegLoaderError(
      "BAD_KEY",
      `${file}: grouped H5 keys must read group-<g>-<i> with integers g and i, found ${listIds(bad)}`,
      { file, details: { keys: bad } },
    );
  }
  return [...groups.keys()]
    .sort((a, b) => a - b)
    .map((group) => ({
      group,
      keys: (groups.get(group) as { image: number; key: string }[]).sort((a, b) => a.image - b.image).map((e) => e.key),
    }));
}
