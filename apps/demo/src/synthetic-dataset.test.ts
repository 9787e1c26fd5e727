import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openH5, readNifti } from "deepreg-loader";
import { ensureSyntheticDatasets } from "./synthetic-dataset.js";

describe("ensureSyntheticDatasets(tmp, { shape: [6, 5, 4], pairs: 2 })", () => {
  let dir: string;
  let root: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "drl-"));
    root = join(dir, "demo-data");
    await ensureSyntheticDatasets(root, { shape: [6, 5, 4], pairs: 2 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes one config per layout and format", async () => {
    expect((await readdir(join(root, "configs"))).sort()).toEqual([
      "grouped_h5.yaml",
      "grouped_nifti.yaml",
      "paired_h5.yaml",
      "paired_nifti.yaml",
      "unpaired_h5.yaml",
      "unpaired_nifti.yaml",
    ]);
  });

  it("paired NIfTI: images [6, 5, 4], labels [6, 5, 4, 2] in {0, 1}, moving != fixed", async () => {
    const train = join(root, "paired", "nifti", "train");
    expect((await readdir(join(train, "moving_images"))).sort()).toEqual(["case_000.nii.gz", "case_001.nii.gz"]);
    const moving = await readNifti(join(train, "moving_images", "case_000.nii.gz"));
    const fixed = await readNifti(join(train, "fixed_images", "case_000.nii.gz"));
    const label = await readNifti(join(train, "moving_labels", "case_000.nii.gz"));
    expect(moving.shape).toEqual([6, 5, 4]);
    expect(fixed.shape).toEqual([6, 5, 4]);
    expect(label.shape).toEqual([6, 5, 4, 2]);
    expect(new Set(label.data)).toEqual(new Set([0, 1]));
    expect(Array.from(moving.data)).not.toEqual(Array.from(fixed.data));
  });

  it("paired H5 holds the same voxels as the NIfTI copy", async () => {
    const h5 = await openH5(join(root, "paired", "h5", "train", "fixed_labels.h5"));
    try {
      expect(h5.keys()).toEqual(["case_000", "case_001"]);
      const fromH5 = h5.read("case_001");
      const fromNifti = await readNifti(join(root, "paired", "nifti", "train", "fixed_labels", "case_001.nii.gz"));
      expect(fromH5.shape).toEqual([6, 5, 4, 2]);
      expect(Array.from(fromH5.data)).toEqual(Array.from(fromNifti.data));
    } finally {
      h5.close();
    }
  });

  it("grouped H5 keys are group-<g>-<i>; NIfTI groups are leaf folders", async () => {
    const h5 = await openH5(join(root, "grouped", "h5", "train", "images.h5"));
    try {
      expect(h5.keys()).toEqual(["group-1-1", "group-1-2", "group-1-3", "group-2-1", "group-2-2", "group-2-3"]);
    } finally {
      h5.close();
    }
    expect((await readdir(join(root, "grouped", "nifti", "train", "images"))).sort()).toEqual(["subject_0", "subject_1"]);
  });

  it("reuses the data on a second call with the same options", async () => {
    const again = await ensureSyntheticDatasets(root, { shape: [6, 5, 4], pairs: 2 });
    expect(again.reused).toBe(true);
  });
});
