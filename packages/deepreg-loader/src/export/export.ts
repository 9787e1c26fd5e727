// export/export.ts: samples of a loader to `.npy` files plus `manifest.json`. May import core
// and export/.
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { DatasetType, Sample, SampleAugmentation, Split, Volume } from "@deepreg-loader/core";
import { writeNpy } from "./export-npy.js";

/** What `exportSamples` needs of a data loader (a `DataLoader` has it). */
export interface SampleSource {
  /** Image pairs per epoch (written to the manifest). */
  readonly numSamples: number;
  /** Shape of the moving images and labels (written to the manifest). */
  readonly movingImageShape: readonly number[];
  /** Shape of the fixed images and labels (written to the manifest). */
  readonly fixedImageShape: readonly number[];
  /** The samples of one epoch, in stream order. */
  samples(options: { epoch: number }): AsyncIterable<Sample>;
}

/** The `.npy` files of one sample, by the key of the `Sample` they hold (snake_case as in DeepReg). */
export interface ManifestFiles {
  /** The moving image's `.npy` file, relative to the export folder. */
  moving_image: string;
  /** The fixed image's `.npy` file, relative to the export folder. */
  fixed_image: string;
  /** The moving label's `.npy` file (labeled splits). */
  moving_label?: string;
  /** The fixed label's `.npy` file (labeled splits). */
  fixed_label?: string;
}

/** `manifest.json` of an export (DESIGN.md "CLI"): samples in stream order. */
export interface ExportManifest {
  /** The dataset type. */
  type: DatasetType;
  /** The split exported. */
  split: Split;
  /** Image pairs per epoch (the loader's `numSamples`); `samples` may hold more (one per label with `all`) or fewer (`limit`). */
  numSamples: number;
  /** Shape of every moving image and label written. */
  movingImageShape: number[];
  /** Shape of every fixed image and label written. */
  fixedImageShape: number[];
  /** Per sample: its indices, its files and, for augmented samples, the parameters applied (docs/conventions.md#augmentation). */
  samples: {
    /** The sample's index vector (`Sample.indices`). */
    indices: number[];
    /** The sample's `.npy` files. */
    files: ManifestFiles;
    /** The augmentation applied to the sample, when the split is augmented. */
    augmentation?: SampleAugmentation;
  }[];
}

/** Options of {@link exportSamples}. */
export interface ExportOptions {
  /** Epoch of the stream to write. Default 0. */
  epoch?: number;
  /** Write at most this many samples. Default: the whole epoch. */
  limit?: number;
  /** Called after each sample is written, with the number written so far. */
  onSample?: (written: number) => void;
  /**
   * Write into a folder that is not empty: first remove the files of a previous export in it
   * (`manifest.json` and the `.npy` files named like an export's, `<5+ digits>_moving_image.npy`
   * ...); other files are left alone. Default false: a folder that is not empty is refused.
   */
  overwrite?: boolean;
}

/** The name of a `.npy` file an export writes: `00012_moving_label.npy`. */
export const EXPORT_FILE_PATTERN = /^\d{5,}_(moving|fixed)_(image|label)\.npy$/;

/** The manifest's name inside the output folder. */
export const MANIFEST_FILE = "manifest.json";

const KEYS = [
  ["movingImage", "moving_image"],
  ["fixedImage", "fixed_image"],
  ["movingLabel", "moving_label"],
  ["fixedLabel", "fixed_label"],
] as const;

/**
 * Writes one epoch of `source`'s samples into `outDir` (created if missing, parents too): per sample
 * `00000_moving_image.npy`, `00000_fixed_image.npy` and, when labeled, `00000_moving_label.npy`,
 * `00000_fixed_label.npy` (float32 little-endian, C order, the sample's shapes), then
 * `manifest.json`. Returns the manifest. `outDir` must be empty or missing unless `overwrite`
 * (see `ExportOptions`), so no stale file of an earlier export is mixed in.
 *
 * All or nothing: the files are written into a temporary folder beside `outDir`
 * (`.<name>.partial-<pid>`, see {@link partialFolderName}) that is renamed to `outDir` once the
 * manifest is written, so a failed or killed export leaves no partial export at `outDir` (and,
 * with `overwrite`, the previous export stays until the new one is complete). A temporary folder
 * left by a killed export (its process gone) is removed by the next export to the same `outDir`.
 * When a sample cannot be read or a file written, the temporary folder (and the parent folders
 * this call created) are removed before the error is rethrown. Throws `WRITE_FAILED` naming the
 * folder or file with the system's reason (`EROFS`, `EACCES`, `ENOTDIR`, ...), and whatever the
 * source throws while reading.
 */
export async function exportSamples(
  source: SampleSource,
  outDir: string,
  meta: { type: DatasetType; split: Split },
  options: ExportOptions = {},
): Promise<ExportManifest> {
  const { epoch = 0, limit = Infinity, overwrite = false } = options;
  const out = resolve(outDir);
  const existing = await checkOutDir(outDir, overwrite);
  await removeLeftovers(out);
  const created = await makeParents(outDir, dirname(out));
  const partial = join(dirname(out), partialFolderName(out, process.pid));
  try {
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial);
  } catch (cause) {
    if (created !== undefined) await removeCreatedFolders(dirname(out), created);
    throw writeFailed(partial, `cannot create the temporary folder ${partial}`, cause);
  }
  try {
    const manifest = await writeExport(source, partial, meta, epoch, limit, [], options.onSample);
    await moveIntoPlace(partial, out, existing);
    return manifest;
  } catch (error) {
    await rm(partial, { recursive: true, force: true }).catch(() => undefined);
    if (created !== undefined) await removeCreatedFolders(dirname(out), created);
    throw error;
  }
}

/** `.<name>.partial-<pid>`: the temporary folder an export to `outDir` writes into, beside it. */
export function partialFolderName(outDir: string, pid: number): string {
  return `.${basename(resolve(outDir))}.partial-${pid}`;
}

const PARTIAL_PID = /\.partial-(\d+)$/;

/** Removes the temporary folders of exports to `out` whose process is gone (killed mid-export). */
async function removeLeftovers(out: string): Promise<void> {
  const prefix = `.${basename(out)}.partial-`;
  const names = await readdir(dirname(out)).catch(() => [] as string[]);
  for (const name of names) {
    const pid = name.startsWith(prefix) ? Number(PARTIAL_PID.exec(name)?.[1]) : Number.NaN;
    if (!Number.isSafeInteger(pid) || name !== `${prefix}${pid}` || isAlive(pid)) continue;
    const path = join(dirname(out), name);
    try {
      await rm(path, { recursive: true, force: true });
    } catch (cause) {
      throw writeFailed(path, `cannot remove ${path}, the temporary folder of an earlier export that did not finish`, cause);
    }
  }
}

/** Whether process `pid` runs (our own process counts: a leftover of an earlier call in it is removed before use). */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const writeFailed = (file: string, message: string, cause?: unknown, details?: Record<string, unknown>) =>
  new DeepRegLoaderError("WRITE_FAILED", cause === undefined ? message : `${message}: ${(cause as Error).message}`, {
    file,
    ...(cause === undefined ? {} : { cause }),
    ...(details === undefined ? {} : { details }),
  });

/**
 * What `outDir` is now: `missing`, `empty`, or (with `overwrite`) `previous` (the names of the
 * previous export's files in it). A folder that is not empty without `overwrite`, or a file, is
 * `WRITE_FAILED`.
 */
async function checkOutDir(outDir: string, overwrite: boolean): Promise<"missing" | "empty" | string[]> {
  let entries: string[];
  try {
    entries = (await readdir(outDir)).sort();
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw writeFailed(outDir, `cannot use ${outDir} as the output folder`, cause);
  }
  if (entries.length === 0) return "empty";
  if (!overwrite) {
    throw writeFailed(
      outDir,
      `${outDir}: the output folder is not empty (${notEmpty(entries)}); pass { overwrite: true } to replace the previous export, or choose another folder`,
      undefined,
      { notEmpty: entries },
    );
  }
  return entries.filter((name) => name === MANIFEST_FILE || EXPORT_FILE_PATTERN.test(name));
}

/**
 * `mkdir -p dir`, one level at a time so that a failure names its real cause (Node's recursive
 * mkdir reports `ENOENT` on some read-only file systems, or never returns). Returns the first
 * folder it created, or undefined when `dir` existed.
 */
async function makeParents(outDir: string, dir: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    const exists = await stat(d).then(
      () => true,
      () => false,
    );
    if (exists || dirname(d) === d) break;
    missing.unshift(d);
  }
  for (const [k, d] of missing.entries()) {
    try {
      await mkdir(d);
    } catch (cause) {
      if (k > 0) await removeCreatedFolders(dirname(d), missing[0] as string);
      throw writeFailed(outDir, `cannot create the output folder ${outDir}`, cause);
    }
  }
  return missing[0];
}

/**
 * Puts the finished export `partial` at `out`: a rename when `out` is missing or empty; with a
 * previous export in `out`, its files are removed (manifest first), then `partial` replaces
 * `out` when nothing else is left, else its files are moved in one by one, the manifest last
 * (so a manifest in `out` always belongs to a complete export).
 */
async function moveIntoPlace(partial: string, out: string, existing: "missing" | "empty" | string[]): Promise<void> {
  try {
    if (Array.isArray(existing)) {
      const old = [...existing].sort((a, b) => Number(b === MANIFEST_FILE) - Number(a === MANIFEST_FILE));
      for (const name of old) await rm(join(out, name), { force: true });
      if ((await readdir(out)).length > 0) {
        const names = (await readdir(partial)).sort((a, b) => Number(a === MANIFEST_FILE) - Number(b === MANIFEST_FILE));
        for (const name of names) await rename(join(partial, name), join(out, name));
        await rmdir(partial);
        return;
      }
    }
    await rename(partial, out);
  } catch (cause) {
    throw writeFailed(out, `cannot move the finished export from ${partial} to ${out}`, cause);
  }
}

/** Removes `dir` and its parents up to `firstCreated` (what `mkdir -p` made), if empty. */
async function removeCreatedFolders(dir: string, firstCreated: string): Promise<void> {
  const top = resolve(firstCreated);
  for (let d = resolve(dir); ; d = dirname(d)) {
    const removed = await rmdir(d).then(
      () => true,
      () => false,
    );
    if (!removed || d === top || dirname(d) === d) return;
  }
}

/** `13 entries: a.npy, b.npy, c.npy, ...`: what a folder that is not empty holds. */
export function notEmpty(entries: readonly string[]): string {
  const shown = entries.slice(0, 3).join(", ") + (entries.length > 3 ? ", ..." : "");
  return `${entries.length} entr${entries.length === 1 ? "y" : "ies"}: ${shown}`;
}

async function writeExport(
  source: SampleSource,
  outDir: string,
  meta: { type: DatasetType; split: Split },
  epoch: number,
  limit: number,
  written: string[],
  onSample: ((written: number) => void) | undefined,
): Promise<ExportManifest> {
  const manifest: ExportManifest = {
    type: meta.type,
    split: meta.split,
    numSamples: source.numSamples,
    movingImageShape: [...source.movingImageShape],
    fixedImageShape: [...source.fixedImageShape],
    samples: [],
  };
  if (limit > 0) {
    for await (const sample of source.samples({ epoch })) {
      const prefix = String(manifest.samples.length).padStart(5, "0");
      const files: Partial<ManifestFiles> = {};
      for (const [key, name] of KEYS) {
        const volume: Volume | undefined = sample[key];
        if (!volume) continue;
        const file = `${prefix}_${name}.npy`;
        written.push(join(outDir, file));
        await writeNpy(join(outDir, file), volume.data, volume.shape);
        files[name] = file;
      }
      manifest.samples.push({
        indices: [...sample.indices],
        files: files as ManifestFiles,
        ...(sample.augmentation === undefined ? {} : { augmentation: sample.augmentation }),
      });
      onSample?.(manifest.samples.length);
      if (manifest.samples.length >= limit) break;
    }
  }
  const path = join(outDir, MANIFEST_FILE);
  written.push(path);
  try {
    await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (cause) {
    throw new DeepRegLoaderError("WRITE_FAILED", `cannot write ${path}: ${(cause as Error).message}`, { file: path, cause });
  }
  return manifest;
}
