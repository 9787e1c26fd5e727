// Test helpers: small datasets written with the project's own writers into temp folders.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { createVolume, shapeSize } from "@deepreg-loader/core";
import type { DataFormat, DatasetType, Volume } from "@deepreg-loader/core";
import type { DatasetConfig, Shape3 } from "@deepreg-loader/config";
import { writeH5 } from "@deepreg-loader/io-h5";
import { writeNifti } from "@deepreg-loader/io-nifti";

/** A volume of `shape` whose value at flat index `i` is `f(i)`. */
export function volumeOf(shape: readonly number[], f: (i: number) => number): Volume {
  const data = new Float32Array(shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = f(i);
  return createVolume(data, shape);
}

/** A volume of `shape` whose values run 0..max evenly (labels: max 1), as plain data. */
export function ramp(shape: number[], max = 1): { data: Float32Array; shape: number[] } {
  const n = shape.reduce((a, b) => a * b, 1);
  return { data: Float32Array.from({ length: n }, (_, i) => (i / Math.max(1, n - 1)) * max), shape };
}

/** `writeNifti` into a folder created first. */
export async function put(path: string, volume: { data: Float32Array; shape: number[] }): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeNifti(path, volume);
}

/** An image with values depending on `seed` (so cases differ). */
export function image(shape: readonly number[], seed: number): Volume {
  return volumeOf(shape, (i) => ((i * 7 + seed * 13) % 31) + seed);
}

/** A binary label: channel `c` of voxel `i` is 1 when `(i + c + seed) % 3 === 0`. */
export function label(shape: readonly number[], seed: number): Volume {
  const channels = shape.length === 4 ? (shape[3] as number) : 1;
  return volumeOf(shape, (i) => ((Math.floor(i / channels) + (i % channels) + seed) % 3 === 0 ? 1 : 0));
}

/** Writes one top folder (NIfTI: `<dir>/<top>/<id>.nii.gz`) or H5 file (`<dir>/<top>.h5`). */
export async function writeTop(format: DataFormat, dir: string, top: string, entries: Record<string, Volume>): Promise<void> {
  if (format === "h5") {
    await mkdir(dir, { recursive: true });
    await writeH5(join(dir, `${top}.h5`), entries);
    return;
  }
  for (const [id, volume] of Object.entries(entries)) {
    const path = join(dir, top, `${id}.nii.gz`);
    await mkdir(dirname(path), { recursive: true });
    await writeNifti(path, volume);
  }
}

/** A temp folder `drl-...`, and its removal. */
export async function tempDir(): Promise<{ root: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "drl-"));
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

/** A dataset config with one split `train` over `dirs` (and null valid/test). */
export function datasetConfig(
  type: DatasetType,
  format: DataFormat,
  dirs: string[],
  options: { labeled?: boolean; moving?: Shape3; fixed?: Shape3; split?: "train" | "valid" | "test"; intraGroupProb?: number } = {},
): DatasetConfig {
  const split = { dir: dirs, format, labeled: options.labeled ?? true };
  const moving = options.moving ?? [4, 3, 2];
  const fixed = type === "paired" ? (options.fixed ?? [3, 2, 4]) : moving;
  const which = options.split ?? "train";
  return {
    type,
    train: which === "train" ? split : null,
    valid: which === "valid" ? split : null,
    test: which === "test" ? split : null,
    moving_image_shape: moving,
    fixed_image_shape: fixed,
    ...(type === "paired" ? {} : { image_shape: moving }),
    ...(type === "grouped" ? { intra_group_prob: options.intraGroupProb ?? 1, intra_group_option: "forward" as const, sample_image_in_group: true } : {}),
  };
}

/**
 * A paired dataset in `dir`: images 5x4x3 (moving) and 3x5x4 (fixed), labels with `channels`
 * channels (3D when 1), one case per id.
 */
export async function writePaired(
  format: DataFormat,
  dir: string,
  ids: string[],
  options: { labeled?: boolean; channels?: number } = {},
): Promise<void> {
  const channels = options.channels ?? 2;
  const withC = (s: number[]) => (channels === 1 ? s : [...s, channels]);
  const tops: Record<string, Record<string, Volume>> = { moving_images: {}, fixed_images: {}, moving_labels: {}, fixed_labels: {} };
  ids.forEach((id, k) => {
    tops.moving_images![id] = image([5, 4, 3], k);
    tops.fixed_images![id] = image([3, 5, 4], k + 100);
    tops.moving_labels![id] = label(withC([5, 4, 3]), k);
    tops.fixed_labels![id] = label(withC([3, 5, 4]), k + 1);
  });
  const names = options.labeled === false ? ["moving_images", "fixed_images"] : Object.keys(tops);
  for (const top of names) await writeTop(format, dir, top, tops[top] as Record<string, Volume>);
}

/** An unpaired (or, with ids like `g1/a`, grouped NIfTI) dataset: images 5x4x3, labels with `channels`. */
export async function writeImages(
  format: DataFormat,
  dir: string,
  ids: string[],
  options: { labeled?: boolean; channels?: number } = {},
): Promise<void> {
  const channels = options.channels ?? 2;
  const images: Record<string, Volume> = {};
  const labels: Record<string, Volume> = {};
  ids.forEach((id, k) => {
    images[id] = image([5, 4, 3], k);
    labels[id] = label(channels === 1 ? [5, 4, 3] : [5, 4, 3, channels], k);
  });
  await writeTop(format, dir, "images", images);
  if (options.labeled !== false) await writeTop(format, dir, "labels", labels);
}

/**
 * Rewrites `<x>.nii.gz` as the gzip of its first 8 voxel bytes: the header reads (the loader
 * opens it, a headers-only check passes) but decoding the volume fails with `TRUNCATED`.
 * Returns the path.
 */
export async function truncateNifti(path: string): Promise<string> {
  const raw = gunzipSync(await readFile(path));
  await writeFile(path, gzipSync(raw.subarray(0, 352 + 8)));
  return path;
}
