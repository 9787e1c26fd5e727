// export/export.ts: samples of a loader to `.npy` files plus `manifest.json`. May import core
// and export/.
import { mkdir, readdir, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
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
 * Writes one epoch of `source`'s samples into `outDir` (created if missing): per sample
 * `00000_moving_image.npy`, `00000_fixed_image.npy` and, when labeled, `00000_moving_label.npy`,
 * `00000_fixed_label.npy` (float32 little-endian, C order, the sample's shapes), then
 * `manifest.json`. Returns the manifest. `outDir` must be empty or missing unless `overwrite`
 * (see `ExportOptions`), so no stale file of an earlier export is mixed in. All or nothing:
 * when a sample cannot be read or a file written, the files written so far (and the folders
 * this call created for `outDir`) are removed before the error is rethrown. Throws `WRITE_FAILED` naming
 * the folder or file, and whatever the source throws while reading.
 */
export async function exportSamples(
  source: SampleSource,
  outDir: string,
  meta: { type: DatasetType; split: Split },
  options: ExportOptions = {},
): Promise<ExportManifest> {
  const { epoch = 0, limit = Infinity, overwrite = false } = options;
  const created = await prepareOutDir(outDir, overwrite);
  const written: string[] = [];
  try {
    return await writeExport(source, outDir, meta, epoch, limit, written, options.onSample);
  } catch (error) {
    await Promise.all(written.map((file) => rm(file, { force: true })));
    if (created !== undefined) await removeCreatedFolders(outDir, created);
    throw error;
  }
}

/** Removes `outDir` and its parents up to `firstCreated` (what `mkdir -p` made), if empty. */
async function removeCreatedFolders(outDir: string, firstCreated: string): Promise<void> {
  const top = resolve(firstCreated);
  for (let dir = resolve(outDir); ; dir = dirname(dir)) {
    const removed = await rmdir(dir).then(
      () => true,
      () => false,
    );
    if (!removed || dir === top || dirname(dir) === dir) return;
  }
}

/** `13 entries: a.npy, b.npy, c.npy, ...`: what a folder that is not empty holds. */
export function notEmpty(entries: readonly string[]): string {
  const shown = entries.slice(0, 3).join(", ") + (entries.length > 3 ? ", ..." : "");
  return `${entries.length} entr${entries.length === 1 ? "y" : "ies"}: ${shown}`;
}

/**
 * Creates `outDir` when missing (returns the first folder it created, as `mkdir -p` does),
 * else checks it is empty, or with `overwrite` removes the previous export's files from it
 * (returns undefined).
 */
async function prepareOutDir(outDir: string, overwrite: boolean): Promise<string | undefined> {
  const fail = (message: string, cause?: unknown, details?: Record<string, unknown>) =>
    new DeepRegLoaderError("WRITE_FAILED", message, {
      file: outDir,
      ...(cause === undefined ? {} : { cause }),
      ...(details === undefined ? {} : { details }),
    });
  let entries: string[];
  try {
    entries = (await readdir(outDir)).sort();
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "ENOENT") {
      throw fail(`cannot use ${outDir} as the output folder: ${(cause as Error).message}`, cause);
    }
    try {
      return (await mkdir(outDir, { recursive: true })) ?? resolve(outDir);
    } catch (cause) {
      throw fail(`cannot create the output folder ${outDir}: ${(cause as Error).message}`, cause);
    }
  }
  if (entries.length === 0) return undefined;
  if (!overwrite) {
    throw fail(
      `${outDir}: the output folder is not empty (${notEmpty(entries)}); pass { overwrite: true } to replace the previous export, or choose another folder`,
      undefined,
      { notEmpty: entries },
    );
  }
  const old = entries.filter((name) => name === MANIFEST_FILE || EXPORT_FILE_PATTERN.test(name));
  try {
    await Promise.all(old.map((name) => rm(join(outDir, name), { force: true })));
  } catch (cause) {
    throw fail(`cannot remove the previous export from ${outDir}: ${(cause as Error).message}`, cause);
  }
  return undefined;
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
