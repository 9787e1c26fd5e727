import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetConfig, image, label, tempDir, writeImages, writePaired, writeTop } from "./data-loader-fixtures.js";
import { layoutEntries, openSplitLayout } from "./layout.js";

let root: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ root, remove } = await tempDir());
  await writePaired("nifti", join(root, "p1"), ["b", "a", "sub/c"]);
  await writePaired("nifti", join(root, "p2"), ["z"]);
  await writePaired("h5", join(root, "ph5"), ["k2", "k10", "k1"]);
  await writeImages("nifti", join(root, "g"), ["g2/x", "g10/b", "g10/a", "g1/y", "g1/x"]);
  await writeImages("h5", join(root, "gh5"), ["group-2-1", "group-10-1", "group-2-10", "group-2-2", "group-1-1", "group-1-2", "group-10-2"]);
  await writeImages("h5", join(root, "gh5b"), ["group-0-1", "group-0-2"]);
  await writePaired("h5", join(root, "ph5b"), ["k0"]);
  await writeTop("nifti", join(root, "twoimages"), "images", { a: image([5, 4, 3], 0), b: image([5, 4, 3], 1) });
  await writePaired("nifti", join(root, "mismatch"), ["a", "b"]);
  // fixed_labels/ gets an extra case "c"; moving_labels/ loses "b"
  await writeTop("nifti", join(root, "mismatch"), "fixed_labels", { c: label([3, 5, 4, 2], 0) });
  await (await import("node:fs/promises")).rm(join(root, "mismatch", "moving_labels", "b.nii.gz"));
  await writeImages("h5", join(root, "badkey"), ["group-1-1", "case-1"]);
  await writeTop("nifti", join(root, "nolabels"), "images", { a: image([5, 4, 3], 0) });
  await writeTop("nifti", join(root, "emptylabels"), "images", { a: image([5, 4, 3], 0) });
  const { mkdir } = await import("node:fs/promises");
  await mkdir(join(root, "emptylabels", "labels"));
});

afterAll(async () => {
  await remove();
});

describe("openSplitLayout", () => {
  it("openSplitLayout(paired nifti, dirs [p2, p1]) sorts every (dir, path) together, as DeepReg: p1's files first", async () => {
    const layout = await openSplitLayout(datasetConfig("paired", "nifti", ["p2", "p1"]), "train", { cwd: root });
    expect(layout.movingImages.ids).toEqual(["a", "b", "sub/c", "z"]);
    expect(layout.dirs).toEqual([join(root, "p2"), join(root, "p1")]);
    await layout.close();
  });

  it("openSplitLayout(paired h5, dirs [ph5b, ph5]) keeps the config's dir order, keys sorted as strings within each file", async () => {
    const layout = await openSplitLayout(datasetConfig("paired", "h5", ["ph5b", "ph5"]), "train", { cwd: root });
    expect(layout.movingImages.ids).toEqual(["k0", "k1", "k10", "k2"]);
    expect(layout.movingImages.source(0).path).toBe(join(root, "ph5b", "moving_images.h5"));
    await layout.close();
  });

  it("openSplitLayout(grouped h5, dirs [gh5b, gh5]) sorts groups by (dir, group as a string): gh5's groups first", async () => {
    const layout = await openSplitLayout(datasetConfig("grouped", "h5", ["gh5b", "gh5"]), "train", { cwd: root });
    expect(layout.movingImages.ids).toEqual(["group-1-1", "group-1-2", "group-10-1", "group-10-2", "group-2-1", "group-2-10", "group-2-2", "group-0-1", "group-0-2"]);
    expect(layout.groups).toEqual([[0, 1], [2, 3], [4, 5, 6], [7, 8]]);
    expect(layout.movingImages.source(7).path).toBe(join(root, "gh5b", "images.h5"));
    await layout.close();
  });

  it("openSplitLayout(paired nifti, dirs [p1, p2]) concatenates the dirs, ids sorted within each", async () => {
    const layout = await openSplitLayout(datasetConfig("paired", "nifti", ["p1", "p2"]), "train", { cwd: root });
    expect(layout).not.toBeNull();
    expect(layout!.movingImages.ids).toEqual(["a", "b", "sub/c", "z"]);
    expect(layout!.fixedLabels!.ids).toEqual(["a", "b", "sub/c", "z"]);
    expect(layout!.movingImages.source(2)).toEqual({ id: "sub/c", path: join(root, "p1", "moving_images", "sub", "c.nii.gz") });
    expect(layout!.fixedImages.source(3).path).toBe(join(root, "p2", "fixed_images", "z.nii.gz"));
    expect(layout!.dirs).toEqual([join(root, "p1"), join(root, "p2")]);
    expect(await layout!.movingLabels!.shape(0)).toEqual([5, 4, 3, 2]);
    expect(layout!.groups).toBeNull();
    await layout!.close();
  });

  it("openSplitLayout(paired h5) lists keys sorted by code unit (k1, k10, k2)", async () => {
    const layout = (await openSplitLayout(datasetConfig("paired", "h5", ["ph5"]), "train", { cwd: root }))!;
    expect(layout.movingImages.ids).toEqual(["k1", "k10", "k2"]);
    expect(layout.fixedLabels!.source(1)).toEqual({ id: "k10", path: join(root, "ph5", "fixed_labels.h5"), key: "k10" });
    expect((await layout.fixedImages.read(2)).shape).toEqual([3, 5, 4]);
    await layout.close();
  });

  it("openSplitLayout(grouped nifti) makes each folder a group: groups by relative path (g1, g10, g2), images by file name", async () => {
    const layout = (await openSplitLayout(datasetConfig("grouped", "nifti", ["g"], { intraGroupProb: 0 }), "train", { cwd: root }))!;
    expect(layout.movingImages.ids).toEqual(["g1/x", "g1/y", "g10/a", "g10/b", "g2/x"]);
    expect(layout.groups).toEqual([[0, 1], [2, 3], [4]]);
    expect(layout.groupNames).toEqual([join(root, "g", "images", "g1"), join(root, "g", "images", "g10"), join(root, "g", "images", "g2")]);
    expect(layout.movingLabels!.ids).toEqual(layout.movingImages.ids);
    expect(layout.fixedImages).toBe(layout.movingImages);
    await layout.close();
  });

  it("openSplitLayout(grouped h5) orders groups and images as strings, as DeepReg: group-10-* before group-2-*, group-2-10 before group-2-2", async () => {
    const layout = (await openSplitLayout(datasetConfig("grouped", "h5", ["gh5"]), "train", { cwd: root }))!;
    expect(layout.movingImages.ids).toEqual(["group-1-1", "group-1-2", "group-10-1", "group-10-2", "group-2-1", "group-2-10", "group-2-2"]);
    expect(layout.groups).toEqual([[0, 1], [2, 3], [4, 5, 6]]);
    await layout.close();
  });

  it("openSplitLayout(config with train null) throws NOT_FOUND naming the split", async () => {
    await expect(openSplitLayout(datasetConfig("paired", "nifti", ["p1"], { split: "valid" }), "train", { cwd: root })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "dataset.train: the config gives no data directory for this split",
    });
  });

  it("openSplitLayout(ids that differ) throws the first IDS_MISMATCH check reports, naming the file and the folder that lacks it", async () => {
    await expect(openSplitLayout(datasetConfig("paired", "nifti", ["mismatch"]), "train", { cwd: root })).rejects.toMatchObject({
      code: "IDS_MISMATCH",
      file: join(root, "mismatch", "moving_images", "b.nii.gz"),
      message: `${join(root, "mismatch", "moving_images", "b.nii.gz")}: no file with id "b" in ${join(root, "mismatch", "moving_labels")}`,
    });
  });

  it("openSplitLayout(missing data dir / missing labels folder / empty labels folder) throws NOT_FOUND, NOT_FOUND, EMPTY", async () => {
    await expect(openSplitLayout(datasetConfig("paired", "nifti", ["nope"]), "train", { cwd: root })).rejects.toMatchObject({
      code: "NOT_FOUND",
      file: join(root, "nope"),
    });
    await expect(openSplitLayout(datasetConfig("unpaired", "nifti", ["nolabels"]), "train", { cwd: root })).rejects.toMatchObject({
      code: "NOT_FOUND",
      file: join(root, "nolabels", "labels"),
    });
    await expect(openSplitLayout(datasetConfig("unpaired", "nifti", ["emptylabels"]), "train", { cwd: root })).rejects.toMatchObject({
      code: "EMPTY",
      file: join(root, "emptylabels", "labels"),
    });
  });

  it("openSplitLayout(unlabeled config over a dir without labels) opens images only", async () => {
    const layout = (await openSplitLayout(datasetConfig("unpaired", "nifti", ["twoimages"], { labeled: false }), "train", { cwd: root }))!;
    expect(layout.movingLabels).toBeNull();
    expect(layout.movingImages.ids).toEqual(["a", "b"]);
    await layout.close();
  });

  it("openSplitLayout(grouped h5 with key case-1) throws BAD_KEY; a missing H5 file throws NOT_FOUND", async () => {
    await expect(openSplitLayout(datasetConfig("grouped", "h5", ["badkey"]), "train", { cwd: root })).rejects.toMatchObject({
      code: "BAD_KEY",
    });
    await expect(openSplitLayout(datasetConfig("paired", "h5", ["gh5"]), "train", { cwd: root })).rejects.toMatchObject({
      code: "NOT_FOUND",
      file: join(root, "gh5", "moving_images.h5"),
    });
  });

  it("openSplitLayout(grouped h5) names each group by the keys' group number: images.h5 keys group-1-*, group-10-*, group-2-*", async () => {
    const layout = (await openSplitLayout(datasetConfig("grouped", "h5", ["gh5"]), "train", { cwd: root }))!;
    const file = join(root, "gh5", "images.h5");
    expect(layout.groupNames).toEqual([`${file} keys group-1-*`, `${file} keys group-10-*`, `${file} keys group-2-*`]);
    await layout.close();
  });

  it("openSplitLayout(format h5 over NIfTI folders) -> NOT_FOUND asking whether the format is nifti", async () => {
    await expect(openSplitLayout(datasetConfig("paired", "h5", ["p2"]), "train", { cwd: root })).rejects.toMatchObject({
      code: "NOT_FOUND",
      file: join(root, "p2", "moving_images.h5"),
      message: `${join(root, "p2", "moving_images.h5")}: no such HDF5 file (found moving_images/ — is format nifti?)`,
    });
  });

  it("openSplitLayout(format nifti over H5 files) -> NOT_FOUND asking whether the format is h5; no hint without the other entry", async () => {
    await expect(openSplitLayout(datasetConfig("paired", "nifti", ["ph5"]), "train", { cwd: root })).rejects.toMatchObject({
      code: "NOT_FOUND",
      file: join(root, "ph5", "moving_images"),
      message: `${join(root, "ph5", "moving_images")}: expected a folder of NIfTI files (.nii, .nii.gz), found nothing (found moving_images.h5 — is format h5?)`,
    });
    await expect(openSplitLayout(datasetConfig("unpaired", "nifti", ["nolabels"]), "train", { cwd: root })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: `${join(root, "nolabels", "labels")}: expected a folder of NIfTI files (.nii, .nii.gz), found nothing`,
    });
  });

  it("layoutEntries('paired', 'h5', true) names the four H5 files", () => {
    expect(layoutEntries("paired", "h5", true)).toEqual(["moving_images.h5", "fixed_images.h5", "moving_labels.h5", "fixed_labels.h5"]);
    expect(layoutEntries("grouped", "nifti", false)).toEqual(["images/"]);
  });
});
