// Writes the demo's synthetic registration datasets: paired, unpaired and grouped layouts
// (DeepReg's folder and key conventions), each in NIfTI (.nii.gz) and H5 (gzip), plus one
// DeepReg YAML config per dataset. The NIfTI and H5 copies hold the same voxels.
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeH5, writeNifti } from "deepreg-loader";
import type { Phantom, Shape3 } from "./phantom.js";
import { NUM_LABELS, addNoise, deformPhantom, phantomPair, randomDeformation, randomSubject, renderSubject } from "./phantom.js";
import { seeded } from "./random.js";

/** Bump when the generated files change, so cached copies are regenerated. */
export const GENERATOR_VERSION = 1;

export type Layout = "paired" | "unpaired" | "grouped";
export type Format = "nifti" | "h5";

export const LAYOUTS: readonly Layout[] = ["paired", "unpaired", "grouped"];
export const FORMATS: readonly Format[] = ["nifti", "h5"];

export interface SyntheticOptions {
  /** Voxel grid of every image. Default [32, 40, 24]. */
  shape?: Shape3;
  /** Training pairs (paired), images (unpaired); grouped uses `pairs / 3` groups of 3 rounded up. Default 10. */
  pairs?: number;
  /** Seed of every random choice. Default 42. */
  seed?: number;
}

/** What was written: one config file per layout and format. */
export interface SyntheticDataset {
  root: string;
  shape: Shape3;
  configs: { layout: Layout; format: Format; path: string }[];
}

/** Image intensity scale on disk (images are int16, labels uint8, as scanners and label tools write). */
const INTENSITY_SCALE = 1000;

interface Observation {
  /** NIfTI path relative to a top folder (no suffix) or H5 key. */
  name: string;
  key: string;
  phantom: Phantom;
}

function toInt16(image: Float32Array): Float32Array {
  return image.map((v) => Math.round(Math.min(32767, Math.max(-32768, v * INTENSITY_SCALE))));
}

function imageEntry(p: Phantom): { data: Int16Array; shape: number[] } {
  return { data: Int16Array.from(toInt16(p.image)), shape: [...p.shape] };
}

function labelEntry(p: Phantom): { data: Uint8Array; shape: number[] } {
  return { data: Uint8Array.from(p.label), shape: [...p.shape, NUM_LABELS] };
}

/** Writes one top folder (`moving_images/`, ...) as NIfTI and the same as one H5 file. */
async function writeTop(
  root: string,
  split: string,
  top: string,
  observations: readonly Observation[],
  kind: "image" | "label",
): Promise<void> {
  const niftiDir = join(root, "nifti", split, top);
  const entries: Record<string, { data: Int16Array | Uint8Array; shape: number[] }> = {};
  for (const o of observations) {
    const file = join(niftiDir, `${o.name}.nii.gz`);
    await mkdir(dirname(file), { recursive: true });
    if (kind === "image") {
      await writeNifti(file, { data: toInt16(o.phantom.image), shape: [...o.phantom.shape] }, { dtype: "int16" });
      entries[o.key] = imageEntry(o.phantom);
    } else {
      await writeNifti(file, { data: o.phantom.label, shape: [...o.phantom.shape, NUM_LABELS] }, { dtype: "uint8" });
      entries[o.key] = labelEntry(o.phantom);
    }
  }
  const h5Dir = join(root, "h5", split);
  await mkdir(h5Dir, { recursive: true });
  await writeH5(join(h5Dir, `${top}.h5`), entries, { compression: "gzip" });
}

function caseName(i: number): string {
  return `case_${String(i).padStart(3, "0")}`;
}

async function writePaired(root: string, shape: Shape3, counts: Record<string, number>, seed: number): Promise<void> {
  for (const [split, count] of Object.entries(counts)) {
    const random = seeded(`paired-${split}-${seed}`);
    const moving: Observation[] = [];
    const fixed: Observation[] = [];
    for (let i = 0; i < count; i++) {
      const pair = phantomPair(random, shape);
      moving.push({ name: caseName(i), key: caseName(i), phantom: pair.moving });
      fixed.push({ name: caseName(i), key: caseName(i), phantom: pair.fixed });
    }
    await writeTop(root, split, "moving_images", moving, "image");
    await writeTop(root, split, "fixed_images", fixed, "image");
    await writeTop(root, split, "moving_labels", moving, "label");
    await writeTop(root, split, "fixed_labels", fixed, "label");
  }
}

async function writeUnpaired(root: string, shape: Shape3, counts: Record<string, number>, seed: number): Promise<void> {
  for (const [split, count] of Object.entries(counts)) {
    const random = seeded(`unpaired-${split}-${seed}`);
    const images: Observation[] = [];
    for (let i = 0; i < count; i++) {
      const phantom = addNoise(renderSubject(randomSubject(random), shape), random, 0.02);
      images.push({ name: caseName(i), key: caseName(i), phantom });
    }
    await writeTop(root, split, "images", images, "image");
    await writeTop(root, split, "labels", images, "label");
  }
}

/** Grouped: a group is one subject seen at `perGroup` time points, each a deformation of its anatomy. */
async function writeGrouped(
  root: string,
  shape: Shape3,
  counts: Record<string, number>,
  perGroup: number,
  seed: number,
): Promise<void> {
  for (const [split, groups] of Object.entries(counts)) {
    const random = seeded(`grouped-${split}-${seed}`);
    const images: Observation[] = [];
    for (let g = 0; g < groups; g++) {
      const anatomy = renderSubject(randomSubject(random), shape);
      for (let t = 0; t < perGroup; t++) {
        const deformed = t === 0 ? anatomy : deformPhantom(anatomy, randomDeformation(random, shape));
        const phantom = addNoise({ ...deformed, image: deformed.image.slice() }, random, 0.02);
        // NIfTI: a leaf folder per group; H5: DeepReg's `group-<g>-<i>` keys (1-based).
        images.push({ name: `subject_${g}/time_${t}`, key: `group-${g + 1}-${t + 1}`, phantom });
      }
    }
    await writeTop(root, split, "images", images, "image");
    await writeTop(root, split, "labels", images, "label");
  }
}

function configYaml(layout: Layout, format: Format, splitDirs: Record<string, string>, shape: Shape3): string {
  const shapeText = `[${shape.join(", ")}]`;
  const lines = ["dataset:"];
  for (const [split, dir] of Object.entries(splitDirs)) {
    lines.push(`  ${split}:`, `    dir: ${JSON.stringify(dir)}`, `    format: "${format}"`, "    labeled: true");
  }
  lines.push(`  type: "${layout}"`);
  if (layout === "paired") {
    lines.push(`  moving_image_shape: ${shapeText}`, `  fixed_image_shape: ${shapeText}`);
  } else {
    lines.push(`  image_shape: ${shapeText}`);
  }
  if (layout === "grouped") {
    lines.push("  intra_group_prob: 1", '  intra_group_option: "forward"', "  sample_image_in_group: true");
  }
  lines.push("train:", "  preprocess:", "    batch_size: 2", "    shuffle_buffer_num_batch: 1", "");
  return lines.join("\n");
}

/**
 * Writes the six synthetic datasets and their configs under `root` (written to a temporary
 * sibling folder first, then renamed, so an interrupted run leaves no half dataset). When
 * `root` already holds a dataset of the same generator version and options, it is reused.
 */
export async function ensureSyntheticDatasets(root: string, options: SyntheticOptions = {}): Promise<SyntheticDataset & { reused: boolean }> {
  const { shape = [32, 40, 24], pairs = 10, seed = 42 } = options;
  const stamp = JSON.stringify({ version: GENERATOR_VERSION, shape, pairs, seed });
  const configs = LAYOUTS.flatMap((layout) =>
    FORMATS.map((format) => ({ layout, format, path: join(root, "configs", `${layout}_${format}.yaml`) })),
  );
  const stampFile = join(root, "generator.json");
  if (existsSync(stampFile) && (await readFile(stampFile, "utf8")) === stamp) {
    return { root, shape, configs, reused: true };
  }

  const staging = `${root}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const testPairs = Math.max(2, Math.ceil(pairs / 3));
  const groups = Math.max(2, Math.ceil(pairs / 3));
  await writePaired(join(staging, "paired"), shape, { train: pairs, test: testPairs }, seed);
  await writeUnpaired(join(staging, "unpaired"), shape, { train: pairs, test: testPairs * 2 }, seed);
  await writeGrouped(join(staging, "grouped"), shape, { train: groups, test: 2 }, 3, seed);

  await mkdir(join(staging, "configs"), { recursive: true });
  for (const { layout, format } of configs) {
    const dirs = { train: join(root, layout, format, "train"), test: join(root, layout, format, "test") };
    await writeFile(join(staging, "configs", `${layout}_${format}.yaml`), configYaml(layout, format, dirs, shape));
  }
  await writeFile(join(staging, "generator.json"), stamp);
  await rm(root, { recursive: true, force: true });
  await mkdir(dirname(root), { recursive: true });
  await rename(staging, root);
  return { root, shape, configs, reused: false };
}
