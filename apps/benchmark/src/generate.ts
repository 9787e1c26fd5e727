// The benchmark's large synthetic set: paired int16 images with 3-channel uint8 labels, as
// `.nii.gz` files and the same voxels as gzip-compressed H5, generated once and reused.
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import seedrandom from "seedrandom";
import { writeH5, writeNifti } from "deepreg-loader";

export type Shape3 = [number, number, number];

/** Bump when the generated files change, so cached copies are regenerated. */
export const LARGE_SET_VERSION = 1;

export const LABEL_CHANNELS = 3;

export interface LargeSetOptions {
  pairs: number;
  shape: Shape3;
  seed?: number;
}

/** Where the large set lives: `nifti/train`, `h5/train`, and `nifti-3x/copy-{0,1,2}` symlinks. */
export interface LargeSet {
  root: string;
  pairs: number;
  shape: Shape3;
  niftiDir: string;
  h5Dir: string;
  /** Three directories that hold the same NIfTI files (symlinks): a dataset 3x the size. */
  nifti3xDirs: string[];
  reused: boolean;
}

const TOPS = ["moving_images", "fixed_images", "moving_labels", "fixed_labels"] as const;
type Top = (typeof TOPS)[number];

interface Blob {
  center: Shape3;
  radii: Shape3;
}

function caseName(i: number): string {
  return `case_${String(i).padStart(4, "0")}`;
}

/** The anatomy of one pair: a body and three structures; the moving one is shifted by a few voxels. */
function pairBlobs(seed: number, index: number, moving: boolean): Blob[] {
  const random = seedrandom.alea(`large-${seed}-${index}`);
  const j = (v: number, a: number) => v + (random() * 2 - 1) * a;
  const shift: Shape3 = [j(0, 0.04), j(0, 0.04), j(0, 0.04)];
  const blobs: Blob[] = [
    { center: [j(0, 0.03), j(0, 0.03), j(0, 0.03)], radii: [j(0.8, 0.05), j(0.7, 0.05), j(0.85, 0.05)] },
    { center: [j(-0.3, 0.1), j(0.1, 0.1), j(0, 0.1)], radii: [j(0.3, 0.05), j(0.25, 0.05), j(0.35, 0.05)] },
    { center: [j(0.35, 0.1), j(-0.2, 0.1), j(0.1, 0.1)], radii: [j(0.2, 0.04), j(0.2, 0.04), j(0.25, 0.04)] },
    { center: [j(0, 0.1), j(0.4, 0.1), j(-0.3, 0.1)], radii: [j(0.15, 0.03), j(0.2, 0.03), j(0.15, 0.03)] },
  ];
  if (!moving) return blobs;
  return blobs.map((b) => ({ ...b, center: [b.center[0] + shift[0], b.center[1] + shift[1], b.center[2] + shift[2]] }));
}

/**
 * Renders one volume: an int16-valued image (body ~400, structures brighter or darker, smooth
 * gradient, uniform noise of +-25) or the 3-channel binary label of the three structures,
 * as a row-major Float32Array.
 */
export function renderVolume(shape: Shape3, blobs: readonly Blob[], kind: "image" | "label", noiseSeed: string): Float32Array {
  const [n0, n1, n2] = shape;
  const out = new Float32Array(n0 * n1 * n2 * (kind === "label" ? LABEL_CHANNELS : 1));
  const noise = seedrandom.alea(noiseSeed);
  const levels = [400, 350, -250, 200];
  const inv = blobs.map((b) => b.radii.map((r) => 1 / r) as Shape3);
  let v = 0;
  for (let i = 0; i < n0; i++) {
    const x = ((i + 0.5) / n0) * 2 - 1;
    for (let j = 0; j < n1; j++) {
      const y = ((j + 0.5) / n1) * 2 - 1;
      for (let k = 0; k < n2; k++, v++) {
        const z = ((k + 0.5) / n2) * 2 - 1;
        let value = 0;
        for (let b = 0; b < blobs.length; b++) {
          const blob = blobs[b]!;
          const s = inv[b]!;
          const dx = (x - blob.center[0]) * s[0];
          const dy = (y - blob.center[1]) * s[1];
          const dz = (z - blob.center[2]) * s[2];
          const inside = dx * dx + dy * dy + dz * dz < 1;
          if (kind === "label") {
            if (b > 0) out[v * LABEL_CHANNELS + b - 1] = inside ? 1 : 0;
          } else if (inside) {
            value += levels[b]! + (b === 0 ? 60 * x - 40 * z : 0);
          }
        }
        if (kind === "image") out[v] = Math.round(value + (noise() - 0.5) * 50);
      }
    }
  }
  return out;
}

function topVolume(shape: Shape3, seed: number, index: number, top: Top): { data: Float32Array; shape: number[] } {
  const moving = top.startsWith("moving");
  const kind = top.endsWith("labels") ? "label" : "image";
  const data = renderVolume(shape, pairBlobs(seed, index, moving), kind, `noise-${seed}-${index}-${top}`);
  return { data, shape: kind === "label" ? [...shape, LABEL_CHANNELS] : [...shape] };
}

/**
 * Generates (or reuses) the large paired set under `cacheDir`. Writes into a temporary folder
 * and renames it, so an interrupted run leaves nothing half-written. `onProgress` receives
 * one line per top folder.
 */
export async function ensureLargeSet(
  cacheDir: string,
  options: LargeSetOptions,
  onProgress: (message: string) => void = () => {},
): Promise<LargeSet> {
  const { pairs, shape, seed = 7 } = options;
  const root = join(cacheDir, `paired-${pairs}x${shape.join("x")}-v${LARGE_SET_VERSION}`);
  const set = (reused: boolean): LargeSet => ({
    root,
    pairs,
    shape,
    niftiDir: join(root, "nifti", "train"),
    h5Dir: join(root, "h5", "train"),
    nifti3xDirs: [0, 1, 2].map((c) => join(root, "nifti-3x", `copy-${c}`)),
    reused,
  });
  const stamp = JSON.stringify({ version: LARGE_SET_VERSION, pairs, shape, seed });
  const stampFile = join(root, "generator.json");
  if (existsSync(stampFile) && (await readFile(stampFile, "utf8")) === stamp) return set(true);

  const staging = `${root}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  for (const top of TOPS) {
    const start = performance.now();
    const entries: Record<string, { data: Int16Array | Uint8Array; shape: number[] }> = {};
    const dir = join(staging, "nifti", "train", top);
    await mkdir(dir, { recursive: true });
    const dtype = top.endsWith("labels") ? "uint8" : "int16";
    for (let i = 0; i < pairs; i++) {
      const volume = topVolume(shape, seed, i, top);
      await writeNifti(join(dir, `${caseName(i)}.nii.gz`), volume, { dtype });
      entries[caseName(i)] = {
        data: dtype === "uint8" ? Uint8Array.from(volume.data) : Int16Array.from(volume.data),
        shape: volume.shape,
      };
    }
    await mkdir(join(staging, "h5", "train"), { recursive: true });
    await writeH5(join(staging, "h5", "train", `${top}.h5`), entries, { compression: "gzip" });
    onProgress(`  generated ${top}: ${pairs} x .nii.gz + ${top}.h5 in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
  // The 3x set: three directories listing the same files (relative symlinks to nifti/train).
  await mkdir(join(staging, "nifti-3x"), { recursive: true });
  for (let c = 0; c < 3; c++) await symlink(join("..", "nifti", "train"), join(staging, "nifti-3x", `copy-${c}`), "dir");
  await writeFile(join(staging, "generator.json"), stamp);
  await rm(root, { recursive: true, force: true });
  await rename(staging, root);
  return set(false);
}
