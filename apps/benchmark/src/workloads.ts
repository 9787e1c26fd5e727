// The data sets the benchmark runs on, as paired train splits with their files and the
// DatasetConfig the loader reads (shapes native, so resize is the identity).
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { openH5, readNiftiHeader, validateConfig } from "deepreg-loader";
import type { DatasetConfig } from "deepreg-loader";
import type { LargeSet, Shape3 } from "./generate.js";

export type Format = "nifti" | "h5";

export interface Workload {
  /** e.g. `deepreg-nifti`, `large-h5`. */
  name: string;
  format: Format;
  /** Data directories of the train split (several for the 3x set). */
  dirs: string[];
  /** Every data file of the split (`.nii.gz` files, or the four `.h5` files), once per dir. */
  files: string[];
  pairs: number;
  movingShape: Shape3;
  fixedShape: Shape3;
  dataset: DatasetConfig;
}

export const TOPS = ["moving_images", "fixed_images", "moving_labels", "fixed_labels"] as const;

/** The DeepReg test data root: `$DEEPREG_DATA` or `../shared/data/deepreg` from the repo root. */
export function locateDeepReg(repoRoot: string): string | undefined {
  const candidates = [process.env.DEEPREG_DATA, join(repoRoot, "..", "shared", "data", "deepreg")];
  for (const c of candidates) {
    if (c && existsSync(join(c, "data", "test", "nifti", "paired", "train"))) return resolve(c);
  }
  return undefined;
}

function datasetConfig(dirs: string[], format: Format, movingShape: Shape3, fixedShape: Shape3): DatasetConfig {
  const result = validateConfig({
    dataset: {
      train: { dir: dirs, format, labeled: true },
      type: "paired",
      moving_image_shape: movingShape,
      fixed_image_shape: fixedShape,
    },
  });
  if (!result.ok) throw new Error(`benchmark config is invalid: ${JSON.stringify(result.errors)}`);
  return result.config.dataset;
}

async function niftiFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const top of TOPS) {
    const names = (await readdir(join(dir, top))).filter((n) => n.endsWith(".nii.gz")).sort();
    files.push(...names.map((n) => join(dir, top, n)));
  }
  return files;
}

async function shapeOfNifti(path: string): Promise<Shape3> {
  const header = await readNiftiHeader(path);
  return header.shape.slice(0, 3) as Shape3;
}

async function shapeOfH5(path: string): Promise<Shape3> {
  const h5 = await openH5(path);
  try {
    const key = h5.keys()[0];
    if (key === undefined) throw new Error(`${path} holds no dataset`);
    return h5.shape(key).slice(0, 3) as Shape3;
  } finally {
    h5.close();
  }
}

/** A paired NIfTI train split over one or more directories. */
export async function niftiWorkload(name: string, dirs: string[]): Promise<Workload> {
  const files: string[] = [];
  for (const dir of dirs) files.push(...(await niftiFiles(dir)));
  const first = dirs[0]!;
  const movingShape = await shapeOfNifti(files.find((f) => f.startsWith(join(first, "moving_images")))!);
  const fixedShape = await shapeOfNifti(files.find((f) => f.startsWith(join(first, "fixed_images")))!);
  return {
    name,
    format: "nifti",
    dirs,
    files,
    pairs: files.length / 4,
    movingShape,
    fixedShape,
    dataset: datasetConfig(dirs, "nifti", movingShape, fixedShape),
  };
}

/** A paired H5 train split in one directory. */
export async function h5Workload(name: string, dir: string): Promise<Workload> {
  const files = TOPS.map((t) => join(dir, `${t}.h5`));
  const movingShape = await shapeOfH5(files[0]!);
  const fixedShape = await shapeOfH5(files[1]!);
  const h5 = await openH5(files[0]!);
  const pairs = h5.keys().length;
  h5.close();
  return { name, format: "h5", dirs: [dir], files, pairs, movingShape, fixedShape, dataset: datasetConfig([dir], "h5", movingShape, fixedShape) };
}

export async function deepregWorkloads(root: string): Promise<{ nifti: Workload; h5: Workload }> {
  return {
    nifti: await niftiWorkload("deepreg-nifti", [join(root, "data", "test", "nifti", "paired", "train")]),
    h5: await h5Workload("deepreg-h5", join(root, "data", "test", "h5", "paired", "train")),
  };
}

export async function largeWorkloads(set: LargeSet): Promise<{ nifti: Workload; h5: Workload; nifti3x: Workload }> {
  return {
    nifti: await niftiWorkload("large-nifti", [set.niftiDir]),
    h5: await h5Workload("large-h5", set.h5Dir),
    nifti3x: await niftiWorkload("large-nifti-3x", set.nifti3xDirs),
  };
}
