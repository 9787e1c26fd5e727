import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetConfig } from "@deepreg-loader/config";
import { writeH5 } from "@deepreg-loader/io-h5";
import { DEEPREG_DATA, deepregPath } from "../../../../test-utils/deepreg-data.js";
import { createDataLoader } from "../loader/create-data-loader.js";
import { checkDataset } from "./check-dataset.js";
import { resolveDataDir } from "./scan.js";
import type { CheckReport } from "./check-dataset.js";
import { put, ramp } from "../loader/data-loader-fixtures.js";

const paired = (dirs: string[], labeled = true): DatasetConfig => ({
  type: "paired",
  train: { dir: dirs, format: "nifti", labeled },
  valid: null,
  test: null,
  moving_image_shape: [5, 4, 3],
  fixed_image_shape: [4, 3, 2],
});

/** `[code, file relative to root (key)]` of every problem, in report order. */
function summary(report: CheckReport, root: string): string[] {
  return report.problems.map(
    (p) => `${p.code} ${(p.file ?? "").replace(root + "/", "")}${p.key === undefined ? "" : ` [${p.key}]`}`,
  );
}

describe("checkDataset on broken data written to a temp folder", () => {
  let root = "";
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "drl-"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("checkDataset(paired NIfTI with 2D image, ids that differ, 2 vs 3 label channels, label value 2, corrupt file, missing and empty folders)", async () => {
    const d1 = join(root, "p1");
    const w = (top: string, id: string, v: { data: Float32Array; shape: number[] }) =>
      put(join(d1, top, `${id}.nii.gz`), v);
    for (const top of ["moving_images", "fixed_images", "moving_labels", "fixed_labels"]) {
      await mkdir(join(d1, top), { recursive: true });
    }
    for (const id of ["a", "b", "c", "d"]) await w("moving_images", id, ramp([5, 4, 3], 255));
    await w("moving_images", "f", ramp([5, 4], 255)); // 2D
    for (const id of ["a", "b", "c", "e", "f"]) await w("fixed_images", id, ramp([4, 3, 2], 255));
    await w("moving_labels", "a", ramp([5, 4, 3, 2]));
    for (const id of ["b", "c", "d", "f"]) await w("moving_labels", id, ramp([5, 4, 3]));
    await w("fixed_labels", "a", ramp([4, 3, 2, 3])); // 3 channels vs 2
    await w("fixed_labels", "b", ramp([4, 3, 2], 2)); // values up to 2
    await writeFile(join(d1, "fixed_labels", "c.nii.gz"), "this is not a NIfTI file at all, just some text bytes.".repeat(10));
    for (const id of ["e", "f"]) await w("fixed_labels", id, ramp([4, 3, 2]));
    // A second directory with an empty moving_labels folder and no fixed_labels folder.
    const d2 = join(root, "p2");
    await mkdir(join(d2, "moving_labels"), { recursive: true });
    await w("../p2/moving_images", "x", ramp([5, 4, 3], 255));
    await w("../p2/fixed_images", "x", ramp([4, 3, 2], 255));

    const progress: number[] = [];
    const report = await checkDataset(paired(["p1", "missing", "p2"]), "train", {
      cwd: root,
      onProgress: (p) => progress.push(p.done),
    });
    expect(summary(report, root)).toEqual([
      "NOT_FOUND missing",
      "EMPTY p2/moving_labels",
      "NOT_FOUND p2/fixed_labels",
      "NOT_NIFTI p1/fixed_labels/c.nii.gz",
      "SHAPE p1/moving_images/f.nii.gz",
      "LABEL_RANGE p1/fixed_labels/b.nii.gz",
      "IDS_MISMATCH p1/fixed_images/e.nii.gz",
      "IDS_MISMATCH p1/moving_images/d.nii.gz",
      "IDS_MISMATCH p1/fixed_labels/e.nii.gz",
      "IDS_MISMATCH p1/moving_images/d.nii.gz",
      "LABEL_COUNT p1/fixed_labels/a.nii.gz",
    ]);
    const byCode = (code: string) => report.problems.find((p) => p.code === code)!.message;
    expect(byCode("SHAPE")).toBe(`${join(d1, "moving_images", "f.nii.gz")}: expected a 3D image, found 2D shape [5, 4]`);
    expect(byCode("LABEL_RANGE")).toBe(
      `${join(d1, "fixed_labels", "b.nii.gz")}: label values must be in [0, 1], found values from 0 to 2`,
    );
    expect(byCode("LABEL_COUNT")).toBe(
      `${join(d1, "fixed_labels", "a.nii.gz")}: 3 label channels, but the moving label ${join(d1, "moving_labels", "a.nii.gz")} has 2; moving and fixed labels must have the same number`,
    );
    expect(report.problems[6]!.message).toBe(
      `${join(d1, "fixed_images", "e.nii.gz")}: no file with id "e" in ${join(d1, "moving_images")}`,
    );
    // Every message starts with the file it is about.
    expect(report.problems.filter((p) => !p.message.startsWith(`${p.file}: `))).toEqual([]);
    // 5 + 5 + 5 + 5 in p1, 1 + 1 in p2
    expect(report.volumesChecked).toBe(22);
    expect(report.filesChecked).toBe(22);
    expect(report.labelsScanned).toBe(9); // 10 labels, c.nii.gz unreadable
    expect(progress).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    expect(report.warnings).toEqual([]);
  });

  it("checkDataset(paired, unlabeled, label folders absent) is clean", async () => {
    const d = join(root, "clean");
    await put(join(d, "moving_images", "sub", "a.nii"), ramp([5, 4, 3], 9));
    await put(join(d, "fixed_images", "sub", "a.nii.gz"), ramp([4, 3, 2], 9));
    const report = await checkDataset(paired([d], false), "train");
    expect(report.problems).toEqual([]);
    expect(report.volumesChecked).toBe(2);
    expect(report.scan.dirs[0]!.tops.map((t) => t.volumes.map((o) => [o.id, o.shape]))).toEqual([
      [["sub/a", [5, 4, 3]]],
      [["sub/a", [4, 3, 2]]],
    ]);
  });

  it("checkDataset(paired, label shape differs from image shape) warns", async () => {
    const d = join(root, "warn");
    await put(join(d, "moving_images", "a.nii.gz"), ramp([5, 4, 3], 9));
    await put(join(d, "fixed_images", "a.nii.gz"), ramp([4, 3, 2], 9));
    await put(join(d, "moving_labels", "a.nii.gz"), ramp([5, 4, 2]));
    await put(join(d, "fixed_labels", "a.nii.gz"), ramp([4, 3, 2]));
    const report = await checkDataset(paired([d]), "train");
    expect(report.problems).toEqual([]);
    expect(report.warnings.map((w) => [w.code, w.file])).toEqual([["SHAPE", join(d, "moving_labels", "a.nii.gz")]]);
  });

  it("checkDataset(unpaired H5: keys differ, 2 vs 3 channels, label value -1, corrupt images.h5 in a second dir)", async () => {
    const d = join(root, "u1");
    await mkdir(d, { recursive: true });
    await writeH5(join(d, "images.h5"), { a: ramp([5, 4, 3], 9), b: ramp([5, 4, 3], 9), c: ramp([5, 4, 3], 9) });
    const neg = ramp([5, 4, 3, 3]);
    neg.data[7] = -1;
    await writeH5(join(d, "labels.h5"), { a: ramp([5, 4, 3, 3]), b: neg, d: ramp([5, 4, 3, 2]) });
    const d2 = join(root, "u2");
    await mkdir(d2, { recursive: true });
    await writeFile(join(d2, "images.h5"), "not hdf5 ".repeat(100));
    await writeH5(join(d2, "labels.h5"), { z: ramp([5, 4, 3, 3]) });
    const config: DatasetConfig = {
      type: "unpaired",
      train: { dir: ["u1", "u2"], format: "h5", labeled: true },
      valid: null,
      test: null,
      moving_image_shape: [4, 4, 4],
      fixed_image_shape: [4, 4, 4],
      image_shape: [4, 4, 4],
    };
    const report = await checkDataset(config, "train", { cwd: root });
    expect(summary(report, root)).toEqual([
      "NOT_HDF5 u2/images.h5",
      "LABEL_RANGE u1/labels.h5 [b]",
      "IDS_MISMATCH u1/labels.h5 [d]",
      "IDS_MISMATCH u1/images.h5 [c]",
      "LABEL_COUNT u1/labels.h5 [d]",
    ]);
    expect(report.problems[1]!.message).toBe(`${join(d, "labels.h5")} ["b"]: label values must be in [0, 1], found values from -1 to 1`);
    expect(report.problems[2]!.message).toBe(`${join(d, "labels.h5")}: key "d" has no match in ${join(d, "images.h5")}`);
  });

  it("checkDataset(grouped H5: a key not group-<g>-<i>, groups of one image, inter-group sampling) ", async () => {
    const d = join(root, "g1");
    await mkdir(d, { recursive: true });
    await writeH5(join(d, "images.h5"), {
      "group-1-1": ramp([5, 4, 3], 9),
      "group-1-2": ramp([5, 4, 3], 9),
      "group-10-1": ramp([5, 4, 3], 9),
      scan7: ramp([5, 4, 3], 9),
    });
    const config: DatasetConfig = {
      type: "grouped",
      train: { dir: ["g1"], format: "h5", labeled: false },
      valid: null,
      test: null,
      moving_image_shape: [4, 4, 4],
      fixed_image_shape: [4, 4, 4],
      image_shape: [4, 4, 4],
      intra_group_prob: 0.5,
      intra_group_option: "forward",
      sample_image_in_group: true,
    };
    const report = await checkDataset(config, "train", { cwd: root });
    expect(summary(report, root)).toEqual(["BAD_KEY g1/images.h5 [scan7]", "GROUP_SIZE g1/images.h5"]);
    expect(report.problems[1]!.message).toBe(
      `${join(d, "images.h5")}: group 10 (keys group-10-*) has 1 image; intra-group sampling (intra_group_prob 0.5 > 0) needs at least 2 per group`,
    );
  });

  it("checkDataset(grouped NIfTI, one group of one image, intra_group_prob 0) reports the group count only (inter-group pairs take one image per group)", async () => {
    const d = join(root, "g2");
    await put(join(d, "images", "subject1", "t0.nii.gz"), ramp([5, 4, 3], 9));
    const config: DatasetConfig = {
      type: "grouped",
      train: { dir: [d], format: "nifti", labeled: false },
      valid: null,
      test: null,
      moving_image_shape: [4, 4, 4],
      fixed_image_shape: [4, 4, 4],
      image_shape: [4, 4, 4],
      intra_group_prob: 0,
      intra_group_option: "forward",
      sample_image_in_group: true,
    };
    const report = await checkDataset(config, "train");
    expect(summary(report, root)).toEqual(["GROUP_SIZE g2"]);
  });

  it("checkDataset(paired H5 config on NIfTI folders) hints at format nifti; a missing dir names the path looked for", async () => {
    for (const top of ["moving_images", "fixed_images"]) await put(join(root, "wf", top, "a.nii.gz"), ramp([5, 4, 3]));
    const config: DatasetConfig = { ...paired(["wf", "nope"], false), train: { dir: ["wf", "nope"], format: "h5", labeled: false } };
    const report = await checkDataset(config, "train", { cwd: root });
    expect(report.problems.map((p) => p.message)).toEqual([
      `${root}/wf/moving_images.h5: no such HDF5 file (found moving_images/ — is format nifti?)`,
      `${root}/wf/fixed_images.h5: no such HDF5 file (found fixed_images/ — is format nifti?)`,
      `${root}/nope: data directory not found (looked for ${root}/nope)`,
    ]);
    expect([report.imagesDecoded, report.imagesRead]).toEqual([true, 0]);
  });

  it("checkDataset(config without valid split, 'valid') reports the missing split", async () => {
    const report = await checkDataset(paired(["p1"]), "valid", { cwd: root });
    expect(report.problems).toEqual([
      { code: "NOT_FOUND", message: "dataset.valid: the config gives no data directory for this split" },
    ]);
  });
});

describe.skipIf(!DEEPREG_DATA)("checkDataset on the DeepReg test data", () => {
  const config = (type: "paired" | "unpaired" | "grouped", format: "nifti" | "h5"): DatasetConfig => ({
    type,
    train: { dir: [`data/test/${format}/${type}/train`], format, labeled: true },
    valid: { dir: [`data/test/${format}/${type}/test`], format, labeled: true },
    test: null,
    moving_image_shape: [16, 16, 16],
    fixed_image_shape: [8, 8, 8],
    intra_group_prob: 1,
    intra_group_option: "forward",
    sample_image_in_group: true,
  });
  for (const type of ["paired", "unpaired", "grouped"] as const) {
    for (const format of ["nifti", "h5"] as const) {
      it(`checkDataset(${type} ${format}, "train") finds no problem`, async () => {
        const report = await checkDataset(config(type, format), "train", { cwd: deepregPath() });
        expect(report.problems).toEqual([]);
        expect(report.warnings).toEqual([]);
        const expected = { paired: { nifti: 100, h5: 12 }, unpaired: { nifti: 28, h5: 8 }, grouped: { nifti: 14, h5: 14 } };
        expect(report.volumesChecked).toBe(expected[type][format]);
        expect(report.labelsScanned).toBe(expected[type][format] / (type === "paired" ? 2 : 2));
      });
    }
  }
});

describe("checkDataset: DeepReg's file-listing details", () => {
  let root = "";
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "drl-"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("checkDataset(hidden ._a.nii.gz and .git/x.nii.gz beside the data) skips them, as DeepReg's glob, and warns naming each", async () => {
    const d = join(root, "hidden");
    for (const top of ["moving_images", "fixed_images"]) await put(join(d, top, "a.nii.gz"), ramp([5, 4, 3], 9));
    await writeFile(join(d, "moving_images", "._a.nii.gz"), "macOS resource fork");
    await put(join(d, "fixed_images", ".git", "x.nii.gz"), ramp([5, 4, 3], 9));
    const report = await checkDataset(paired([d], false), "train");
    expect(report.problems).toEqual([]);
    expect(report.volumesChecked).toBe(2);
    expect(report.warnings.map((w) => [w.code, w.file])).toEqual([
      ["NOT_NIFTI", join(d, "moving_images", "._a.nii.gz")],
      ["NOT_NIFTI", join(d, "fixed_images", ".git", "x.nii.gz")],
    ]);
    expect(report.warnings[0]!.message).toBe(
      `${join(d, "moving_images", "._a.nii.gz")}: hidden file skipped (its name or a folder on its path starts with '.'), as DeepReg skips it`,
    );
  });

  it("checkDataset(dir '~/data') reads the data under the home directory (DeepReg's expanduser); resolveDataDir('~', cwd) is the home directory", async () => {
    const home = join(root, "home");
    for (const top of ["moving_images", "fixed_images"]) await put(join(home, "data", top, "a.nii.gz"), ramp([5, 4, 3], 9));
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      expect(resolveDataDir("~", "/elsewhere")).toBe(home);
      expect(resolveDataDir("~/data", "/elsewhere")).toBe(join(home, "data"));
      expect(resolveDataDir("data", "/elsewhere")).toBe("/elsewhere/data");
      const report = await checkDataset(paired(["~/data"], false), "train", { cwd: "/elsewhere" });
      expect([report.problems, report.volumesChecked, report.scan.dirs[0]!.dir]).toEqual([[], 2, join(home, "data")]);
      await using loader = await createDataLoader(paired(["~/data"], false), "train", { cwd: "/elsewhere" });
      expect(loader.layout.dirs).toEqual([join(home, "data")]);
    } finally {
      process.env.HOME = saved;
    }
  });
});
