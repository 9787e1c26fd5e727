// Training augmentation in the loader (issue 8), through the BUILT package: the augmented
// volumes equal the pure functions applied to the un-augmented sample with the reported
// parameters; the stream is the same for any workers/prefetch/cache/resume; valid/test are
// untouched; the whole-config form applies the YAML's augmentation; bad values fail early.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAugmentation, checkDataset, createDataLoader, DATASET_RULES } from "../../dist/index.js";
import type { Batch, DataLoader, DataLoaderOptions, DatasetConfig, Sample, Split } from "../../dist/index.js";
import { datasetConfig, tempDir, writeImages, writePaired } from "./data-loader-fixtures.js";

let root: string;
let remove: () => Promise<void>;
const loaders: DataLoader[] = [];

beforeAll(async () => {
  ({ root, remove } = await tempDir());
  await writePaired("nifti", join(root, "paired"), ["a", "b", "c", "d", "e"]);
  await writeImages("nifti", join(root, "unpaired"), ["p", "q", "r", "s"]);
});

afterAll(async () => {
  await Promise.all(loaders.splice(0).map((l) => l.close()));
  await remove();
});

const AFFINE_AND_DDF = [{ name: "affine" }, { name: "ddf", field_strength: 1.5, low_res_size: [2, 2, 2] }];

function dataset(split: Split = "train"): DatasetConfig {
  return datasetConfig("paired", "nifti", ["paired"], { split, moving: [6, 5, 4], fixed: [5, 6, 4] });
}

async function open(config: unknown, split: Split, options: DataLoaderOptions = {}): Promise<DataLoader> {
  const loader = await createDataLoader(config as DatasetConfig, split, { cwd: root, ...options });
  loaders.push(loader);
  return loader;
}

async function collect(loader: DataLoader, options: { epoch?: number; start?: number } = {}): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of loader.samples(options)) out.push(s);
  return out;
}

const KEYS = ["movingImage", "fixedImage", "movingLabel", "fixedLabel"] as const;

/** Plain comparable form of a sample: indices, augmentation and every volume's values. */
function plain(s: Sample | Batch): unknown {
  return {
    indices: s.indices,
    augmentation: s.augmentation ?? null,
    ...Object.fromEntries(KEYS.map((k) => [k, s[k] ? { shape: s[k]!.shape, data: Array.from(s[k]!.data) } : null])),
  };
}

describe("createDataLoader(..., { augmentation })", () => {
  it("train samples equal applyAugmentation(un-augmented sample, reported records), order and labels unchanged", async () => {
    const plainLoader = await open(dataset(), "train", { seed: 3, augmentation: false });
    const augLoader = await open(dataset(), "train", { seed: 3, augmentation: AFFINE_AND_DDF });
    const before = await collect(plainLoader, { epoch: 1 });
    const after = await collect(augLoader, { epoch: 1 });
    expect(after.map((s) => s.indices)).toEqual(before.map((s) => s.indices));
    expect(before.every((s) => !("augmentation" in s))).toBe(true);
    for (const [k, s] of after.entries()) {
      const { moving, fixed } = s.augmentation!;
      expect(moving.map((r) => r.name)).toEqual(["affine", "ddf"]);
      expect(fixed.map((r) => r.name)).toEqual(["affine", "ddf"]);
      expect(moving[0]).not.toEqual(fixed[0]);
      const replay = applyAugmentation(before[k]!, s.augmentation!);
      expect(plain(s)).toEqual(plain(replay));
      expect(s.movingImage.shape).toEqual([6, 5, 4]);
      expect(s.fixedLabel!.shape).toEqual([5, 6, 4]);
    }
    // Fresh parameters for every sample and every epoch.
    const thetas = after.map((s) => JSON.stringify(s.augmentation!.moving[0]));
    expect(new Set(thetas).size).toBe(after.length);
    const epoch2 = await collect(augLoader, { epoch: 2 });
    expect(epoch2.map((s) => JSON.stringify(s.augmentation!.moving[0]))).not.toEqual(thetas);
  });

  it("the augmented stream is the same for workers 0/2, prefetch 1/4, cache on/off, and after resume", async () => {
    const base = await collect(await open(dataset(), "train", { seed: 5, augmentation: AFFINE_AND_DDF }));
    const variants: DataLoaderOptions[] = [
      { workers: 2 },
      { workers: 1, prefetch: 1 },
      { prefetch: 4, cacheBytes: 2 ** 24 },
      { workers: 2, cacheBytes: 2 ** 24 },
    ];
    for (const options of variants) {
      const loader = await open(dataset(), "train", { seed: 5, augmentation: AFFINE_AND_DDF, ...options });
      expect((await collect(loader)).map(plain)).toEqual(base.map(plain));
      if (options.cacheBytes) {
        // Second epoch from the cache: still equal to a fresh loader's epoch 1 (the cache holds un-augmented volumes).
        const fresh = await open(dataset(), "train", { seed: 5, augmentation: AFFINE_AND_DDF });
        expect((await collect(loader, { epoch: 1 })).map(plain)).toEqual((await collect(fresh, { epoch: 1 })).map(plain));
      }
    }
    const resumed = await collect(await open(dataset(), "train", { seed: 5, augmentation: AFFINE_AND_DDF, workers: 1 }), { start: 2 });
    expect(resumed.map(plain)).toEqual(base.slice(2).map(plain));
  });

  // Volumes read for one sample alone (cache off, paired, one label each) are warped in their read
  // task; volumes that several samples use (unpaired images in several pairs, every label of a
  // pair with labelSampling "all", a cache) are read un-augmented, then warped (handed to the
  // worker by transfer when nothing else holds them, else copied). Every path gives the replay.
  for (const [name, config, extra] of [
    ["unpaired (each image in several pairs)", () => datasetConfig("unpaired", "nifti", ["unpaired"], { moving: [6, 5, 4] }), {}],
    ["paired, labelSampling all (a pair's samples share it)", () => dataset(), { labelSampling: "all" }],
  ] as const) {
    it(`${name}: samples equal the replay on the un-augmented stream, the same for workers 0/2 and cache on/off`, async () => {
      const options = { seed: 9, augmentation: AFFINE_AND_DDF, ...extra } as DataLoaderOptions;
      const before = await collect(await open(config(), "train", { ...options, augmentation: false }), { epoch: 1 });
      const base = await collect(await open(config(), "train", options), { epoch: 1 });
      expect(base.map((s) => s.indices)).toEqual(before.map((s) => s.indices));
      for (const [k, s] of base.entries()) expect(plain(s)).toEqual(plain(applyAugmentation(before[k]!, s.augmentation!)));
      for (const variant of [{ workers: 2 }, { workers: 2, prefetch: 1 }, { workers: 2, cacheBytes: 2 ** 24 }, { cacheBytes: 2 ** 24 }] as DataLoaderOptions[]) {
        const loader = await open(config(), "train", { ...options, ...variant });
        expect((await collect(loader, { epoch: 1 })).map(plain)).toEqual(base.map(plain));
      }
    });
  }

  it("batches carry their samples' records; a sample's parameters do not depend on batching or the shuffle buffer", async () => {
    const loader = await open(dataset(), "train", { seed: 7, augmentation: [{ name: "affine", scale: 0.2 }] });
    const samples = await collect(loader, { epoch: 0 });
    const byIndices = new Map(samples.map((s) => [JSON.stringify(s.indices), s.augmentation]));
    let count = 0;
    for await (const b of loader.batches({ batchSize: 2, epochs: 1, shuffleBufferNumBatch: 2 })) {
      expect(b.augmentation).toHaveLength(b.indices.length);
      b.indices.forEach((ix, k) => expect(b.augmentation![k]).toEqual(byIndices.get(JSON.stringify(ix))));
      count += b.indices.length;
    }
    expect(count).toBe(4);
  });

  it("sharded ranks draw from their own streams; each rank's stream is stable", async () => {
    const shard = (index: number) => open(dataset(), "train", { seed: 2, augmentation: { name: "affine" }, shard: { index, count: 2 } });
    const rank0 = await collect(await shard(0));
    const rank1 = await collect(await shard(1));
    // 5 pairs on 2 ranks, padded by default: 3 each.
    expect(rank0).toHaveLength(3);
    expect(rank1).toHaveLength(3);
    expect(rank0[0]!.augmentation).not.toEqual(rank1[0]!.augmentation);
    expect((await collect(await shard(0))).map(plain)).toEqual(rank0.map(plain));
  });

  it("a sample repeated by shard padding gets its own parameters, drawn at its padded position; drop mode agrees on shared positions", async () => {
    const options = (index: number, evenDivisible?: boolean): DataLoaderOptions => ({
      seed: 4,
      augmentation: { name: "affine" },
      shard: { index, count: 2, ...(evenDivisible === undefined ? {} : { evenDivisible }) },
    });
    const rank0 = await collect(await open(dataset(), "train", options(0)));
    const rank1Loader = await open(dataset(), "train", options(1));
    const rank1 = await collect(rank1Loader);
    // Strided shards of 5: rank 1 holds plan elements 1, 3 and (padding) 0, which rank 0 holds first.
    expect(rank1[2]!.indices).toEqual(rank0[0]!.indices);
    expect(rank1[2]!.augmentation).not.toEqual(rank0[0]!.augmentation);
    expect(new Set(rank1.map((s) => JSON.stringify(s.augmentation))).size).toBe(3);
    // The padded sample is the un-augmented sample warped with its own record.
    const plainRank1 = await collect(await open(dataset(), "train", { ...options(1), augmentation: false }));
    expect(plain(rank1[2]!)).toEqual(plain(applyAugmentation(plainRank1[2]!, rank1[2]!.augmentation!)));
    // The same with workers; and drop mode (evenDivisible) is the padded stream without its pad.
    expect((await collect(await open(dataset(), "train", { ...options(1), workers: 2 }))).map(plain)).toEqual(rank1.map(plain));
    const dropped = await collect(await open(dataset(), "train", options(1, true)));
    expect(dropped.map(plain)).toEqual(rank1.slice(0, 2).map(plain));
    // batches() (training pads too) carries the padded sample's record.
    const records: unknown[] = [];
    for await (const b of rank1Loader.batches({ batchSize: 1, epochs: 1 })) records.push(...b.augmentation!);
    expect(records).toHaveLength(3);
    expect(new Set(records.map((r) => JSON.stringify(r)))).toEqual(new Set(rank1.map((s) => JSON.stringify(s.augmentation))));
  });

  it("valid and test ignore the augmentation option (as DeepReg)", async () => {
    for (const split of ["valid", "test"] as const) {
      const withOption = await collect(await open(dataset(split), split, { augmentation: AFFINE_AND_DDF }));
      const without = await collect(await open(dataset(split), split));
      expect(withOption.map(plain)).toEqual(without.map(plain));
      expect(withOption.every((s) => !("augmentation" in s))).toBe(true);
    }
  });

  it("createDataLoader(whole config, 'train') applies train.preprocess.data_augmentation; the option overrides it", async () => {
    const whole = { dataset: dataset(), train: { preprocess: { data_augmentation: { name: "affine" }, batch_size: 2 } } };
    const fromYaml = await collect(await open(whole, "train", { seed: 9 }));
    const fromOption = await collect(await open(dataset(), "train", { seed: 9, augmentation: { name: "affine" } }));
    expect(fromYaml.map(plain)).toEqual(fromOption.map(plain));
    expect(fromYaml[0]!.augmentation!.moving[0]!.name).toBe("affine");
    const off = await collect(await open(whole, "train", { seed: 9, augmentation: false }));
    expect(off.every((s) => !("augmentation" in s))).toBe(true);
    const none = await collect(await open({ dataset: dataset(), train: { preprocess: {} } }, "train", { seed: 9 }));
    expect(none.every((s) => !("augmentation" in s))).toBe(true);
  });

  it.each([
    [{ name: "afine" }, 'train.preprocess.data_augmentation.name: expected one of affine, ddf, found "afine" (did you mean "affine"?)'],
    [[{ name: "ddf", low_res_size: [7, 1, 1] }], "train.preprocess.data_augmentation[0].low_res_size: [7, 1, 1] exceeds the image shape [6, 5, 4] on axis 0"],
    ["affine", 'train.preprocess.data_augmentation: expected a mapping such as { name: affine } or a list of them, found "affine"'],
  ])("createDataLoader(dataset, 'train', { augmentation: %j }) throws INVALID_CONFIG before reading files", async (augmentation, message) => {
    // The dir does not exist: an error about files would be NOT_FOUND.
    const missing = datasetConfig("paired", "nifti", ["missing"], { moving: [6, 5, 4], fixed: [5, 6, 4] });
    await expect(createDataLoader(missing, "train", { cwd: root, augmentation })).rejects.toMatchObject({
      code: "INVALID_CONFIG",
      message: expect.stringContaining(message),
    });
  });

  it("check and the loader judge the value with the one rule, augmentation-config (train only), and agree on the first error", async () => {
    expect(DATASET_RULES.filter((r) => r.name === "augmentation-config")).toEqual([expect.objectContaining({ configOnly: true })]);
    expect(DATASET_RULES[0]!.name).toBe("augmentation-config");
    const augmentation = [{ name: "afine" }, { name: "ddf", low_res_size: [7, 1, 1] }];
    const report = await checkDataset(dataset(), "train", { cwd: root, augmentation });
    expect(report.problems).toEqual([
      {
        code: "INVALID_CONFIG",
        message: 'train.preprocess.data_augmentation[0].name: expected one of affine, ddf, found "afine" (did you mean "affine"?)',
      },
      {
        code: "INVALID_CONFIG",
        message:
          "train.preprocess.data_augmentation[1].low_res_size: [7, 1, 1] exceeds the image shape [6, 5, 4] on axis 0 (each axis must be at most the image's)",
      },
    ]);
    await expect(createDataLoader(dataset(), "train", { cwd: root, augmentation })).rejects.toMatchObject({
      code: "INVALID_CONFIG",
      message: report.problems[0]!.message,
    });
    expect((await checkDataset(dataset(), "train", { cwd: root, augmentation: { name: "ddf", low_res_size: [2, 2, 2] } })).problems).toEqual([]);
    // Valid never applies it: neither check nor the loader judge it.
    expect((await checkDataset(dataset("valid"), "valid", { cwd: root, augmentation })).problems).toEqual([]);
    expect((await collect(await open(dataset("valid"), "valid", { augmentation }))).length).toBeGreaterThan(0);
    // A missing dir: the config rule comes first in check as in the loader.
    const missing = datasetConfig("paired", "nifti", ["missing"], { moving: [6, 5, 4], fixed: [5, 6, 4] });
    const codes = (await checkDataset(missing, "train", { cwd: root, augmentation })).problems.map((p) => p.code);
    expect(codes).toEqual(["INVALID_CONFIG", "INVALID_CONFIG", "NOT_FOUND"]);
  });
});
