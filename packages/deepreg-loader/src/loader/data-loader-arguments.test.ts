// createDataLoader's argument checks (split, dataset config, option keys) and open-time checks
// (image headers, group sizes), over the BUILT package (dist/). Build first.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDataLoader } from "../../dist/index.js";
import type { DatasetConfig, Split } from "../../dist/index.js";
import { datasetConfig, image, tempDir, writeImages, writePaired, writeTop } from "./data-loader-fixtures.js";

let root: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ root, remove } = await tempDir());
  await writePaired("nifti", join(root, "good"), ["a", "b", "c"]);
  await writeImages("nifti", join(root, "unpaired"), ["a", "b", "c", "d"]);
  // group3 holds one image (third group, position 2)
  await writeImages("nifti", join(root, "groups"), ["group1/a", "group1/b", "group2/a", "group2/b", "group3/a"], { labeled: false });
  await writeImages("h5", join(root, "groupsh5"), ["group-1-1", "group-1-2", "group-3-1", "group-7-1", "group-7-2"], { labeled: false });
  // a 2D fixed image, and a 4D moving image
  await writePaired("nifti", join(root, "flat"), ["a", "b", "c"], { labeled: false });
  await writeTop("nifti", join(root, "flat"), "fixed_images", { b: image([3, 5], 0) });
  await writePaired("h5", join(root, "fourd"), ["a", "b"], { labeled: false });
  await writeTop("h5", join(root, "fourd"), "moving_images", { a: image([5, 4, 3], 0), b: image([5, 4, 3, 2], 1) });
});

afterAll(async () => {
  await remove();
});

const good = (): DatasetConfig => datasetConfig("paired", "nifti", ["good"]);

async function error(promise: Promise<unknown>): Promise<{ code?: string; message: string; file?: string }> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: { code?: string; message: string; file?: string }) => e,
  );
}

describe("createDataLoader arguments", () => {
  it('createDataLoader(dataset, "training") -> INVALID_ARGUMENT with "did you mean train"', async () => {
    const e = await error(createDataLoader(good(), "training" as Split, { cwd: root }));
    expect(e).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: 'split must be "train", "valid" or "test", found "training" (did you mean "train"?)',
    });
    expect(await error(createDataLoader(good(), undefined as unknown as Split))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: 'split must be "train", "valid" or "test", found undefined',
    });
  });

  it('createDataLoader(whole config, "train") opens config.dataset (augmentation from train.preprocess)', async () => {
    const whole = { dataset: good(), train: { preprocess: { batch_size: 2 } } };
    await using loader = await createDataLoader(whole as unknown as DatasetConfig, "train", { cwd: root });
    expect(loader.numSamples).toBe(3);
    const bad = { dataset: good(), train: { preprocess: { data_augmentation: { name: "rotate" } } } };
    expect(await error(createDataLoader(bad as unknown as DatasetConfig, "train", { cwd: root }))).toMatchObject({
      code: "INVALID_CONFIG",
      message: expect.stringContaining('train.preprocess.data_augmentation.name: expected one of affine, ddf, found "rotate"'),
    });
  });

  it("createDataLoader(hand-written YAML-form objects: dir as a string, image_shape) opens them like readConfig's", async () => {
    const paired = {
      type: "paired",
      train: { dir: "good", format: "NIfTI", labeled: true },
      moving_image_shape: [4, 3, 2],
      fixed_image_shape: [3, 2, 4],
    };
    await using p = (await createDataLoader(paired as unknown as DatasetConfig, "train", { cwd: root }))!;
    expect([p.numSamples, p.format, p.movingImageShape, p.fixedImageShape]).toEqual([3, "nifti", [4, 3, 2], [3, 2, 4]]);
    expect(p.layout.dirs).toEqual([join(root, "good")]);
    const unpaired = { type: "unpaired", train: { dir: "unpaired", format: "nifti", labeled: true }, image_shape: [2, 3, 4] };
    await using u = (await createDataLoader(unpaired as unknown as DatasetConfig, "train", { cwd: root }))!;
    expect([u.numSamples, u.movingImageShape, u.fixedImageShape]).toEqual([2, [2, 3, 4], [2, 3, 4]]);
    await expect(createDataLoader(unpaired as unknown as DatasetConfig, "valid", { cwd: root })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("createDataLoader(config.dataset of unpaired data with moving/fixed shapes other than image_shape) uses moving/fixed", async () => {
    const dataset = { ...datasetConfig("unpaired", "nifti", ["unpaired"]), image_shape: [8, 8, 8] as [number, number, number] };
    dataset.moving_image_shape = [2, 2, 3];
    dataset.fixed_image_shape = [3, 2, 2];
    const warnings: string[] = [];
    await using loader = (await createDataLoader(dataset, "train", { cwd: root, onWarning: (w) => warnings.push(w) }))!;
    expect([loader.movingImageShape, loader.fixedImageShape]).toEqual([[2, 2, 3], [3, 2, 2]]);
    expect(warnings).toEqual([]);
  });

  it("createDataLoader(v0.1.1 layout object) opens it and passes the config warning to onWarning", async () => {
    const old = { type: "paired", dir: { train: "good" }, format: "nifti", labeled: false, moving_image_shape: [4, 3, 2], fixed_image_shape: [3, 2, 4] };
    const warnings: string[] = [];
    await using loader = (await createDataLoader(old as unknown as DatasetConfig, "train", { cwd: root, onWarning: (w) => warnings.push(w) }))!;
    expect([loader.numSamples, loader.labeled]).toEqual([3, false]);
    expect(warnings).toEqual([
      "dataset.dir: expected the current layout dataset.<split>: { dir, format, labeled }, found the DeepReg v0.1.1 layout (dataset.dir, dataset.format, dataset.labeled); read as the current layout",
    ]);
  });

  it("createDataLoader(invalid dataset objects) -> INVALID_CONFIG listing every problem by dot-path", async () => {
    const bad = { type: "pared", train: { dir: 3, format: "nifti", labeled: true }, moving_image_shape: [4, 3] };
    expect(await error(createDataLoader(bad as unknown as DatasetConfig, "train", { cwd: root }))).toMatchObject({
      code: "INVALID_CONFIG",
      message:
        'invalid dataset config: dataset.type: expected one of paired, unpaired, grouped, found "pared" (did you mean "paired"?); dataset.train.dir: expected a directory or a list of directories, found 3; dataset.moving_image_shape: expected a list of three positive integers [dim1, dim2, dim3], found [4, 3]',
    });
    const unpaired = { ...datasetConfig("unpaired", "nifti", ["unpaired"]), fixed_image_shape: [0, 2, 2] };
    expect(await error(createDataLoader(unpaired as unknown as DatasetConfig, "train", { cwd: root }))).toMatchObject({
      code: "INVALID_CONFIG",
      message: "invalid dataset config: dataset.fixed_image_shape[0]: expected a positive integer, found 0",
    });
    expect(await error(createDataLoader(null as unknown as DatasetConfig, "train"))).toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("createDataLoader(dataset, split, { worker: 2, seeed: 4 }) -> INVALID_ARGUMENT naming both keys with suggestions", async () => {
    const options = { worker: 2, seeed: 4 } as unknown as { seed: number };
    expect(await error(createDataLoader(good(), "train", options))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message:
        'unknown options of createDataLoader(): "worker" (did you mean "workers"?), "seeed" (did you mean "seed"?); known options: seed, workers, prefetch, cacheBytes, shard, labelSampling, shuffle, cwd, maxBytes, onWarning, workerUrl, augmentation',
    });
    const shard = { shard: { rank: 0, world_size: 2 } } as unknown as { seed: number };
    expect(await error(createDataLoader(good(), "train", shard))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: 'unknown options of shard: "rank" (did you mean "index"?), "world_size" (did you mean "count"?); known options: index, count, evenDivisible',
    });
  });

  it("batches({ batch_size: 4 }) and samples({ epochs: 1 }) -> INVALID_ARGUMENT with the camelCase name", async () => {
    await using loader = (await createDataLoader(good(), "train", { cwd: root }))!;
    const batches = loader.batches({ batch_size: 4 } as unknown as { batchSize: number });
    expect(await error(batches.next())).toMatchObject({
      code: "INVALID_ARGUMENT",
      message:
        'unknown option of batches(): "batch_size" (did you mean "batchSize"?); known options: batchSize, training, epochs, shuffleBufferNumBatch, startEpoch, startBatch',
    });
    const samples = loader.samples({ epochs: 1 } as unknown as { epoch: number });
    expect(await error(samples.next())).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: 'unknown option of samples(): "epochs" (did you mean "epoch"?); known options: epoch, start',
    });
  });
});

describe("createDataLoader open-time checks", () => {
  it("createDataLoader(grouped nifti, group3 with 1 image) -> GROUP_SIZE naming the group's folder and position", async () => {
    const e = await error(createDataLoader(datasetConfig("grouped", "nifti", ["groups"], { labeled: false }), "train", { cwd: root }));
    expect(e).toMatchObject({
      code: "GROUP_SIZE",
      file: join(root, "groups", "images", "group3"),
      message: `${join(root, "groups", "images", "group3")}: group has 1 image; intra-group sampling (intra_group_prob 1 > 0) needs at least 2 per group`,
    });
  });

  it("createDataLoader(grouped h5, keys group-3-* with 1 image) -> GROUP_SIZE naming images.h5 and the keys' group number", async () => {
    const e = await error(createDataLoader(datasetConfig("grouped", "h5", ["groupsh5"], { labeled: false }), "train", { cwd: root }));
    const file = join(root, "groupsh5", "images.h5");
    expect(e).toMatchObject({
      code: "GROUP_SIZE",
      file,
      message: `${file}: group 3 (keys group-3-*) has 1 image; intra-group sampling (intra_group_prob 1 > 0) needs at least 2 per group`,
    });
  });

  it("createDataLoader(paired nifti with a 2D fixed image) -> SHAPE at open naming the file", async () => {
    const e = await error(createDataLoader(datasetConfig("paired", "nifti", ["flat"], { labeled: false }), "train", { cwd: root }));
    const file = join(root, "flat", "fixed_images", "b.nii.gz");
    expect(e).toMatchObject({ code: "SHAPE", file, message: `${file}: expected a 3D image, found 2D shape [3, 5]` });
  });

  it("createDataLoader(paired h5 with a 4D moving image) -> SHAPE at open naming the file and key", async () => {
    const e = await error(createDataLoader(datasetConfig("paired", "h5", ["fourd"], { labeled: false }), "train", { cwd: root }));
    const file = join(root, "fourd", "moving_images.h5");
    expect(e).toMatchObject({ code: "SHAPE", file, message: `${file} ["b"]: expected a 3D image, found 4D shape [5, 4, 3, 2]` });
  });
});
