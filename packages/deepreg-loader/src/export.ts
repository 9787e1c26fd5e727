import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { DatasetType, Sample, Split, Volume } from "@deepreg-loader/core";
import { writeNpy } from "./export-npy.js";

/** What `exportSamples` needs of a data loader (a `DataLoader` has it). */
export interface SampleSource {
  readonly numSamples: number;
  readonly movingImageShape: readonly number[];
  readonly fixedImageShape: readonly number[];
  samples(options: { epoch: number }): AsyncIterable<Sample>;
}

/** The `.npy` files of one sample, by the key of the `Sample` they hold (snake_case as in DeepReg). */
export interface ManifestFiles {
  moving_image: string;
  fixed_image: string;
  moving_label?: string;
  fixed_label?: string;
}

/** `manifest.json` of an export (DESIGN.md "CLI"): samples in stream order. */
export interface ExportManifest {
  type: DatasetType;
  split: Split;
  /** Image pairs per epoch (the loader's `numSamples`); `samples` may hold more (one per label with `all`) or fewer (`limit`). */
  numSamples: number;
  movingImageShape: number[];
  fixedImageShape: number[];
  samples: { indices: number[]; files: ManifestFiles }[];
}

export interface ExportOptions {
  /** Epoch of the stream to write. Default 0. */
  epoch?: number;
  /** Write at most this many samples. Default: the whole epoch. */
  limit?: number;
  /** Called after each sample is written, with the number written so far. */
  onSample?: (written: number) => void;
}

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
 * `manifest.json`. Returns the manifest. Throws `WRITE_FAILED` naming the file, and whatever
 * the source throws while reading.
 */
export async function exportSamples(
  source: SampleSource,
  outDir: string,
  meta: { type: DatasetType; split: Split },
  options: ExportOptions = {},
): Promise<ExportManifest> {
  const { epoch = 0, limit = Infinity } = options;
  try {
    await mkdir(outDir, { recursive: true });
  } catch (cause) {
    throw new DeepRegLoaderError("WRITE_FAILED", `cannot create the output folder ${outDir}: ${(cause as Error).message}`, {
      file: outDir,
      cause,
    });
  }
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
        await writeNpy(join(outDir, file), volume.data, volume.shape);
        files[name] = file;
      }
      manifest.samples.push({ indices: [...sample.indices], files: files as ManifestFiles });
      options.onSample?.(manifest.samples.length);
      if (manifest.samples.length >= limit) break;
    }
  }
  const path = join(outDir, MANIFEST_FILE);
  try {
    await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (cause) {
    throw new DeepRegLoaderError("WRITE_FAILED", `cannot write ${path}: ${(cause as Error).message}`, { file: path, cause });
  }
  return manifest;
}
