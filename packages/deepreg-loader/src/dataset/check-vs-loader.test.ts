// The property `check` exists for: it reports no error exactly when the loader can stream every
// sample of every split, and when there is one, both name the same file and code. Small
// datasets, broken one way each (or not at all), NIfTI and H5, paired, unpaired and grouped.
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataFormat, DatasetType, Volume } from "@deepreg-loader/core";
import type { DatasetConfig } from "@deepreg-loader/config";
import { createDataLoader as createFromSource } from "../loader/create-data-loader.js";
// Worker threads run the built worker script: the workers variant uses the built loader.
import { createDataLoader as createFromDist } from "../../dist/index.js";
import { datasetConfig, image, label, tempDir, volumeOf, writeTop } from "../loader/data-loader-fixtures.js";
import { checkDataset } from "./check-dataset.js";

interface Case {
  name: string;
  type: DatasetType;
  format: DataFormat;
  labeled?: boolean;
  intraGroupProb?: number;
  /** Writes the dataset into `dir`. */
  build(dir: string): Promise<void>;
  /** The error both must name (`code`, file relative to the dataset dir), or undefined for a valid dataset. */
  error?: [string, string];
}

const paired = async (format: DataFormat, dir: string, ids: string[], over: Partial<Record<string, Record<string, Volume>>> = {}, labeled = true) => {
  const tops: Record<string, Record<string, Volume>> = { moving_images: {}, fixed_images: {}, moving_labels: {}, fixed_labels: {} };
  ids.forEach((id, k) => {
    (tops.moving_images as Record<string, Volume>)[id] = image([5, 4, 3], k);
    (tops.fixed_images as Record<string, Volume>)[id] = image([3, 5, 4], k + 50);
    (tops.moving_labels as Record<string, Volume>)[id] = label([5, 4, 3, 2], k);
    (tops.fixed_labels as Record<string, Volume>)[id] = label([3, 5, 4, 2], k + 1);
  });
  for (const [top, entries] of Object.entries(tops)) {
    if (!labeled && top.endsWith("labels")) continue;
    await writeTop(format, dir, top, { ...entries, ...(over[top] ?? {}) });
  }
};

const single = async (format: DataFormat, dir: string, ids: string[], over: Partial<Record<string, Record<string, Volume>>> = {}, labeled = true) => {
  const images: Record<string, Volume> = {};
  const labels: Record<string, Volume> = {};
  ids.forEach((id, k) => {
    images[id] = image([5, 4, 3], k);
    labels[id] = label([5, 4, 3, 2], k);
  });
  await writeTop(format, dir, "images", { ...images, ...(over.images ?? {}) });
  if (labeled) await writeTop(format, dir, "labels", { ...labels, ...(over.labels ?? {}) });
};

/** `.nii.gz` rewritten as the gzip of its first 8 voxel bytes: the header reads, decoding fails. */
async function cutGzip(path: string): Promise<void> {
  await writeFile(path, gzipSync(gunzipSync(await readFile(path)).subarray(0, 352 + 8)));
}

const GROUPS = ["g1/a", "g1/b", "g2/a", "g2/b"];
const H5_GROUPS = ["group-1-1", "group-1-2", "group-2-1", "group-2-2"];

const CASES: Case[] = [
  // valid
  { name: "paired nifti, 2-channel labels", type: "paired", format: "nifti", build: (d) => paired("nifti", d, ["a", "b", "c"]) },
  { name: "paired h5, 2-channel labels", type: "paired", format: "h5", build: (d) => paired("h5", d, ["k1", "k10", "k2"]) },
  { name: "paired nifti unlabeled", type: "paired", format: "nifti", labeled: false, build: (d) => paired("nifti", d, ["a", "b"], {}, false) },
  { name: "unpaired nifti labeled, 4 images", type: "unpaired", format: "nifti", build: (d) => single("nifti", d, ["a", "b", "c", "d"]) },
  { name: "unpaired h5 unlabeled, 2 images", type: "unpaired", format: "h5", labeled: false, build: (d) => single("h5", d, ["x", "y"], {}, false) },
  { name: "grouped nifti labeled, 2 groups of 2", type: "grouped", format: "nifti", build: (d) => single("nifti", d, GROUPS) },
  { name: "grouped h5 labeled, 2 groups of 2", type: "grouped", format: "h5", build: (d) => single("h5", d, H5_GROUPS) },
  {
    name: "grouped nifti, intra_group_prob 0, a group of one image",
    type: "grouped",
    format: "nifti",
    labeled: false,
    intraGroupProb: 0,
    build: (d) => single("nifti", d, ["g1/a", "g2/a", "g2/b"], {}, false),
  },
  {
    name: "paired nifti, 3D labels and a 4D one-channel label",
    type: "paired",
    format: "nifti",
    build: (d) => paired("nifti", d, ["a", "b"], { moving_labels: { a: label([5, 4, 3], 0), b: label([5, 4, 3, 1], 1) }, fixed_labels: { a: label([3, 5, 4], 0), b: label([3, 5, 4], 1) } }),
  },
  {
    name: "paired nifti, nested ids and a hidden ._ file (skipped, a warning)",
    type: "paired",
    format: "nifti",
    build: async (d) => {
      await paired("nifti", d, ["sub/a", "sub/b"]);
      await writeFile(join(d, "moving_images", "sub", "._a.nii.gz"), "resource fork, not NIfTI");
    },
  },
  {
    name: "paired nifti, label shape differs from its image (a warning)",
    type: "paired",
    format: "nifti",
    build: (d) => paired("nifti", d, ["a", "b"], { moving_labels: { a: label([4, 4, 3, 2], 0) } }),
  },
  // broken
  { name: "paired nifti, a 2D image", type: "paired", format: "nifti", build: (d) => paired("nifti", d, ["a", "b"], { fixed_images: { b: image([3, 5], 0) } }), error: ["SHAPE", "fixed_images/b.nii.gz"] },
  { name: "paired h5, a 4D image", type: "paired", format: "h5", build: (d) => paired("h5", d, ["a", "b"], { moving_images: { b: image([5, 4, 3, 2], 0) } }), error: ["SHAPE", "moving_images.h5"] },
  { name: "paired nifti, a 2D label", type: "paired", format: "nifti", build: (d) => paired("nifti", d, ["a", "b"], { moving_labels: { a: label([5, 4], 0) } }), error: ["SHAPE", "moving_labels/a.nii.gz"] },
  { name: "paired nifti, a label value 2", type: "paired", format: "nifti", build: (d) => paired("nifti", d, ["a", "b"], { fixed_labels: { b: volumeOf([3, 5, 4, 2], (i) => (i === 7 ? 2 : 0)) } }), error: ["LABEL_RANGE", "fixed_labels/b.nii.gz"] },
  { name: "unpaired h5, a label value -1", type: "unpaired", format: "h5", build: (d) => single("h5", d, ["a", "b"], { labels: { b: volumeOf([5, 4, 3, 2], (i) => (i === 3 ? -1 : 1)) } }), error: ["LABEL_RANGE", "labels.h5"] },
  { name: "paired nifti, an image with NaN", type: "paired", format: "nifti", build: (d) => paired("nifti", d, ["a", "b"], { moving_images: { a: volumeOf([5, 4, 3], (i) => (i === 5 ? Number.NaN : i)) } }), error: ["VALUE_RANGE", "moving_images/a.nii.gz"] },
  { name: "unpaired nifti, an image range too wide for float32", type: "unpaired", format: "nifti", labeled: false, build: (d) => single("nifti", d, ["a", "b"], { images: { b: volumeOf([5, 4, 3], (i) => (i === 0 ? -3e38 : i === 1 ? 3e38 : 0)) } }, false), error: ["VALUE_RANGE", "images/b.nii.gz"] },
  {
    name: "paired nifti, a .nii.gz cut inside its gzip stream",
    type: "paired",
    format: "nifti",
    build: async (d) => {
      await paired("nifti", d, ["a", "b"]);
      await cutGzip(join(d, "fixed_images", "a.nii.gz"));
    },
    error: ["TRUNCATED", "fixed_images/a.nii.gz"],
  },
  {
    name: "paired nifti, an uncompressed .nii cut short",
    type: "paired",
    format: "nifti",
    labeled: false,
    build: async (d) => {
      await paired("nifti", d, ["a", "b"], {}, false);
      const raw = gunzipSync(await readFile(join(d, "moving_images", "b.nii.gz")));
      await writeFile(join(d, "moving_images", "b.nii.gz"), gzipSync(raw)); // unchanged
      await writeFile(join(d, "fixed_images", "b.nii"), gunzipSync(await readFile(join(d, "fixed_images", "b.nii.gz"))).subarray(0, 360));
      await (await import("node:fs/promises")).rm(join(d, "fixed_images", "b.nii.gz"));
    },
    error: ["TRUNCATED", "fixed_images/b.nii"],
  },
  {
    name: "paired nifti, a file that is not NIfTI",
    type: "paired",
    format: "nifti",
    build: async (d) => {
      await paired("nifti", d, ["a", "b"]);
      await writeFile(join(d, "moving_labels", "b.nii.gz"), "not a NIfTI file at all ".repeat(20));
    },
    error: ["NOT_NIFTI", "moving_labels/b.nii.gz"],
  },
  {
    name: "paired nifti, fixed_images lacks an id",
    type: "paired",
    format: "nifti",
    labeled: false,
    build: async (d) => {
      await paired("nifti", d, ["a", "b"], {}, false);
      await (await import("node:fs/promises")).rm(join(d, "fixed_images", "b.nii.gz"));
    },
    error: ["IDS_MISMATCH", "moving_images/b.nii.gz"],
  },
  { name: "paired h5, keys differ", type: "paired", format: "h5", labeled: false, build: (d) => paired("h5", d, ["a", "b"], { fixed_images: { c: image([3, 5, 4], 0) } }, false), error: ["IDS_MISMATCH", "fixed_images.h5"] },
  { name: "paired nifti, moving labels 2 channels, fixed 3", type: "paired", format: "nifti", build: (d) => paired("nifti", d, ["a", "b"], { fixed_labels: { b: label([3, 5, 4, 3], 0) } }), error: ["LABEL_COUNT", "fixed_labels/b.nii.gz"] },
  { name: "unpaired nifti, labels with 2 and 3 channels", type: "unpaired", format: "nifti", build: (d) => single("nifti", d, ["a", "b", "c", "d"], { labels: { c: label([5, 4, 3, 3], 0) } }), error: ["LABEL_COUNT", "labels/c.nii.gz"] },
  { name: "grouped nifti, a group of one image (intra-group sampling)", type: "grouped", format: "nifti", build: (d) => single("nifti", d, ["g1/a", "g1/b", "g2/a"]), error: ["GROUP_SIZE", "images/g2"] },
  { name: "grouped h5, a group of one image", type: "grouped", format: "h5", labeled: false, build: (d) => single("h5", d, ["group-1-1", "group-1-2", "group-3-1"], {}, false), error: ["GROUP_SIZE", "images.h5"] },
  { name: "grouped nifti, one group, intra_group_prob 0.5", type: "grouped", format: "nifti", labeled: false, intraGroupProb: 0.5, build: (d) => single("nifti", d, ["g1/a", "g1/b"], {}, false), error: ["GROUP_SIZE", ""] },
  { name: "grouped h5, a key that is not group-<g>-<i>", type: "grouped", format: "h5", labeled: false, build: (d) => single("h5", d, [...H5_GROUPS, "scan7"], {}, false), error: ["BAD_KEY", "images.h5"] },
  { name: "unpaired nifti, one image", type: "unpaired", format: "nifti", labeled: false, build: (d) => single("nifti", d, ["a"], {}, false), error: ["EMPTY", "images/a.nii.gz"] },
  {
    name: "unpaired nifti, an empty images folder",
    type: "unpaired",
    format: "nifti",
    labeled: false,
    build: (d) => mkdir(join(d, "images"), { recursive: true }).then(() => undefined),
    error: ["EMPTY", "images"],
  },
  {
    name: "paired nifti, no labels folders",
    type: "paired",
    format: "nifti",
    build: (d) => paired("nifti", d, ["a", "b"], {}, false),
    error: ["NOT_FOUND", "moving_labels"],
  },
  {
    name: "paired h5, fixed_images.h5 missing",
    type: "paired",
    format: "h5",
    labeled: false,
    build: async (d) => {
      await paired("h5", d, ["a", "b"], {}, false);
      await (await import("node:fs/promises")).rm(join(d, "fixed_images.h5"));
    },
    error: ["NOT_FOUND", "fixed_images.h5"],
  },
  {
    name: "paired nifti, a.nii beside a.nii.gz",
    type: "paired",
    format: "nifti",
    labeled: false,
    build: async (d) => {
      await paired("nifti", d, ["a", "b"], {}, false);
      await writeFile(join(d, "moving_images", "a.nii"), gunzipSync(await readFile(join(d, "moving_images", "a.nii.gz"))));
    },
    error: ["IDS_MISMATCH", "moving_images/a.nii.gz"],
  },
  {
    name: "unpaired h5, labels.h5 is not HDF5",
    type: "unpaired",
    format: "h5",
    build: async (d) => {
      await single("h5", d, ["a", "b"], {}, false);
      await writeFile(join(d, "labels.h5"), "not HDF5 ".repeat(100));
    },
    error: ["NOT_HDF5", "labels.h5"],
  },
  { name: "unpaired h5, an image with values -3e38 and 3e38", type: "unpaired", format: "h5", labeled: false, build: (d) => single("h5", d, ["a", "b"], { images: { a: volumeOf([5, 4, 3], (i) => (i % 2 === 0 ? -3e38 : 3e38)) } }, false), error: ["VALUE_RANGE", "images.h5"] },
  {
    name: "grouped nifti, two folder links to '.' inside a group (a loop)",
    type: "grouped",
    format: "nifti",
    build: async (d) => {
      await single("nifti", d, GROUPS);
      await symlink(".", join(d, "images", "g1", "loop1"));
      await symlink(".", join(d, "images", "g1", "loop2"));
    },
    error: ["READ_FAILED", "images/g1/loop1"],
  },
  { name: "data directory missing", type: "paired", format: "nifti", build: async () => undefined, error: ["NOT_FOUND", ""] },
];

let root = "";
let remove: () => Promise<void> = async () => undefined;
beforeAll(async () => {
  ({ root, remove } = await tempDir());
});
afterAll(async () => {
  await remove();
});

/** train and valid over the same data directory (valid iterates every label with a fixed plan). */
function configOf(c: Case, dir: string): DatasetConfig {
  const config = datasetConfig(c.type, c.format, [dir], {
    labeled: c.labeled ?? true,
    ...(c.intraGroupProb === undefined ? {} : { intraGroupProb: c.intraGroupProb }),
  });
  return { ...config, valid: config.train };
}

/** Streams every sample of every split (every label channel); the first error, or undefined. */
async function streamAll(config: DatasetConfig, workers: number): Promise<{ code?: string; file?: string } | undefined> {
  for (const split of ["train", "valid"] as const) {
    try {
      const create = workers === 0 ? createFromSource : createFromDist;
      const loader = await create(config, split, { cwd: root, labelSampling: "all", workers });
      try {
        let n = 0;
        for await (const _ of loader.samples({ epoch: 0 })) n += 1;
        expect(n).toBeGreaterThan(0);
      } finally {
        await loader.close();
      }
    } catch (error) {
      return error as { code?: string; file?: string };
    }
  }
  return undefined;
}

describe("check reports no error exactly when the loader streams every sample of every split", () => {
  it(`the table holds ${CASES.filter((c) => c.error === undefined).length} valid and ${CASES.filter((c) => c.error !== undefined).length} broken datasets over both formats and all three types`, () => {
    expect(CASES.filter((c) => c.error === undefined).length).toBeGreaterThanOrEqual(10);
    expect(CASES.filter((c) => c.error !== undefined).length).toBeGreaterThanOrEqual(20);
    for (const type of ["paired", "unpaired", "grouped"]) {
      for (const format of ["nifti", "h5"]) {
        expect(CASES.some((c) => c.type === type && c.format === format && c.error !== undefined)).toBe(true);
        expect(CASES.some((c) => c.type === type && c.format === format && c.error === undefined)).toBe(true);
      }
    }
  });

  for (const [k, c] of CASES.entries()) {
    it(`${c.error === undefined ? "valid" : c.error[0]}: ${c.name} (${c.type} ${c.format})`, async () => {
      const dir = `case${k}`;
      if (!c.name.startsWith("data directory missing")) await mkdir(join(root, dir), { recursive: true });
      await c.build(join(root, dir));
      const config = configOf(c, dir);
      const reports = await Promise.all(["train", "valid"].map((split) => checkDataset(config, split as "train", { cwd: root })));
      const problems = reports.flatMap((r) => r.problems);
      const loaderError = await streamAll(config, 0);
      if (c.error === undefined) {
        expect(problems).toEqual([]);
        expect(loaderError).toBeUndefined();
        return;
      }
      const [code, file] = c.error;
      const expected = { code, file: join(root, dir, file) };
      expect(problems[0]).toMatchObject(expected);
      expect(loaderError).toMatchObject(expected);
      expect(problems.map((p) => `${p.code} ${p.file}`)).toContain(`${loaderError?.code} ${loaderError?.file}`);
    });
  }

  it("the same with workers: a corrupt gzip stream and a label value 2 fail in the worker as check reports them", async () => {
    for (const name of ["paired nifti, a .nii.gz cut inside its gzip stream", "paired nifti, a label value 2"]) {
      const k = CASES.findIndex((c) => c.name === name);
      const c = CASES[k] as Case;
      const config = configOf(c, `case${k}`);
      const report = await checkDataset(config, "train", { cwd: root });
      const error = await streamAll(config, 2);
      expect(error).toMatchObject({ code: report.problems[0]?.code, file: report.problems[0]?.file });
    }
  });
});
