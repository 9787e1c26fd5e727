// Stream contracts of createDataLoader over small written datasets, through the BUILT package:
// sharding of batches, resume, one read per volume, validation, error positions, and samples
// owning their arrays.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDataLoader } from "../../dist/index.js";
import type { Batch, DataLoader, DataLoaderOptions, DatasetConfig, Sample, Split } from "../../dist/index.js";
import { datasetConfig, image, label, tempDir, volumeOf, writeImages, writePaired, writeTop } from "./data-loader-fixtures.js";

let root: string;
let remove: () => Promise<void>;
const loaders: DataLoader[] = [];

beforeAll(async () => {
  ({ root, remove } = await tempDir());
  await writePaired("nifti", join(root, "paired7"), ["a", "b", "c", "d", "e", "f", "g"]);
  await writePaired("nifti", join(root, "paired1"), ["a", "b", "c"], { channels: 1 });
  await writePaired("nifti", join(root, "wide"), ["a", "b"], { labeled: false });
  // finite, but max - min overflows float32: normalisation gives 0 and NaN
  await writeTop("nifti", join(root, "wide"), "moving_images", { b: volumeOf([5, 4, 3], (i) => (i % 2 === 0 ? -3e38 : 3e38)) });
  // unpaired: labels of 2 channels, except e with 3
  await writeImages("nifti", join(root, "counts"), ["a", "b", "c", "d", "e"]);
  await writeTop("nifti", join(root, "counts"), "labels", { e: label([5, 4, 3, 3], 4) });
  // grouped: groups g1 (3 images) and g2 (2 images)
  await writeImages("nifti", join(root, "grouped"), ["g1/a", "g1/b", "g1/c", "g2/a", "g2/b"]);
});

afterAll(async () => {
  await Promise.all(loaders.splice(0).map((l) => l.close()));
  await remove();
});

async function open(config: DatasetConfig, split: Split, options: DataLoaderOptions = {}): Promise<DataLoader> {
  const loader = (await createDataLoader(config, split, { cwd: root, ...options }))!;
  loaders.push(loader);
  return loader;
}

const paired7 = (split: Split): DatasetConfig => datasetConfig("paired", "nifti", ["paired7"], { split });

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

function plain(s: Sample | Batch) {
  return {
    indices: s.indices,
    movingImage: [s.movingImage.shape, Array.from(s.movingImage.data)],
    fixedImage: [s.fixedImage.shape, Array.from(s.fixedImage.data)],
    movingLabel: s.movingLabel && [s.movingLabel.shape, Array.from(s.movingLabel.data)],
    fixedLabel: s.fixedLabel && [s.fixedLabel.shape, Array.from(s.fixedLabel.data)],
  };
}

const keys = (vectors: number[][]): string[] => vectors.map((v) => v.join(",")).sort();

/** The batches of every rank of `count`: index vectors per rank and epoch, and step counts. */
async function ranks(
  config: DatasetConfig,
  split: Split,
  count: number,
  options: DataLoaderOptions,
  batches: Parameters<DataLoader["batches"]>[0],
  evenDivisible?: boolean,
) {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const shard = evenDivisible === undefined ? { index, count } : { index, count, evenDivisible };
      const loader = await open(config, split, { ...options, shard });
      const out = await collect(loader.batches(batches));
      return { steps: out.length, batches: out.map((b) => b.indices) };
    }),
  );
}

describe("createDataLoader streams", () => {
  it("shard { count: 3 } of batches({ batchSize: 2, training: false }) over 7 pairs x 2 labels (all): disjoint ranks that together are the epoch; steps 3, 3, 2", async () => {
    const full = (await open(paired7("valid"), "valid")).plan(0);
    expect(full).toHaveLength(14);
    const parts = await ranks(paired7("valid"), "valid", 3, {}, { batchSize: 2, epochs: 1 });
    expect(keys(parts.flatMap((p) => p.batches.flat()))).toEqual(keys(full));
    // 14 = 5 + 5 + 4 samples: equal steps are impossible without repeating or dropping samples
    expect(parts.map((p) => p.steps)).toEqual([3, 3, 2]);
  });

  it("shard { count: 2 } of batches({ batchSize: 2, training: true }) of the valid split (7 samples): ranks padded to 4 samples, equal steps 2, 2, every sample seen", async () => {
    const parts = await ranks(paired7("valid"), "valid", 2, { labelSampling: "sample" }, { batchSize: 2, epochs: 1, training: true });
    expect(parts.map((p) => p.steps)).toEqual([2, 2]);
    const seen = parts.flatMap((p) => p.batches.flat());
    expect(seen).toHaveLength(8);
    expect(new Set(keys(seen)).size).toBe(7);
  });

  it("shard { count: 2, evenDivisible: true } of the same: the last sample dropped, equal steps 1, 1", async () => {
    const parts = await ranks(paired7("valid"), "valid", 2, { labelSampling: "sample" }, { batchSize: 2, epochs: 1, training: true }, true);
    expect(parts.map((p) => p.steps)).toEqual([1, 1]);
    expect(new Set(keys(parts.flatMap((p) => p.batches.flat()))).size).toBe(4);
  });

  it("shard { count: 3 } of train samples() over 14 samples: every rank gets ceil(14 / 3) = 5, the short ranks padded from the start of the epoch's plan", async () => {
    const options = { labelSampling: "all" as const };
    const full = (await open(paired7("train"), "train", options)).plan(1);
    const parts = await Promise.all([0, 1, 2].map(async (index) => (await open(paired7("train"), "train", { ...options, shard: { index, count: 3 } })).plan(1)));
    expect(parts).toEqual([0, 1, 2].map((r) => [0, 1, 2, 3, 4].map((k) => full[(r + 3 * k) % 14])));
    expect(new Set(keys(parts.flat())).size).toBe(14);
  });

  it("shard { count: 3, evenDivisible: true } of train batches({ batchSize: 2, shuffleBufferNumBatch: 2, epochs: 2 }) with all labels (14 samples): 2 steps per rank and epoch, disjoint", async () => {
    const options = { labelSampling: "all" as const };
    const parts = await ranks(paired7("train"), "train", 3, options, { batchSize: 2, epochs: 2, shuffleBufferNumBatch: 2 }, true);
    expect(parts.map((p) => p.steps)).toEqual([4, 4, 4]);
    const full = await open(paired7("train"), "train", options);
    for (const epoch of [0, 1]) {
      const seen = parts.flatMap((p) => p.batches.slice(2 * epoch, 2 * epoch + 2).flat());
      expect(new Set(keys(seen)).size).toBe(12);
      // what the ranks dropped is the last 14 % 3 = 2 samples of the epoch's plan
      expect(keys(seen)).toEqual(keys(full.plan(epoch).slice(0, 12)));
    }
  });

  it("shard { count: 3 } of train batches({ training: false }) with all labels: every sample of the epoch once (no sample dropped)", async () => {
    const options = { labelSampling: "all" as const };
    const parts = await ranks(paired7("train"), "train", 3, options, { batchSize: 2, epochs: 1, training: false });
    const full = (await open(paired7("train"), "train", options)).plan(0);
    expect(keys(parts.flatMap((p) => p.batches.flat()))).toEqual(keys(full));
  });

  it("resume batches({ startEpoch, startBatch }) with a shuffle buffer, all labels and shard 1 of 2, and samples({ epoch, start }): the uninterrupted stream's tail", async () => {
    const loader = await open(paired7("train"), "train", { labelSampling: "all", shard: { index: 1, count: 2 }, seed: 9 });
    const train = { batchSize: 3, epochs: 3, shuffleBufferNumBatch: 2 };
    const full = (await collect(loader.batches(train))).map(plain);
    expect(full).toHaveLength(6); // 7 samples per rank and epoch -> 2 batches
    for (const [startEpoch, startBatch, offset] of [[0, 1, 1], [1, 0, 2], [1, 1, 3], [2, 2, 6]] as const) {
      expect((await collect(loader.batches({ ...train, startEpoch, startBatch }))).map(plain)).toEqual(full.slice(offset));
    }
    const evaluation = { batchSize: 2, epochs: 2, training: false };
    const all = (await collect(loader.batches(evaluation))).map(plain);
    expect(all.map((b) => b.indices.length)).toEqual([2, 2, 2, 1, 2, 2, 2, 1]);
    expect((await collect(loader.batches({ ...evaluation, startEpoch: 1, startBatch: 3 }))).map(plain)).toEqual(all.slice(7));
    const epoch1 = (await collect(loader.samples({ epoch: 1 }))).map(plain);
    expect((await collect(loader.samples({ epoch: 1, start: 5 }))).map(plain)).toEqual(epoch1.slice(5));
  });

  it("each volume is read once per pair whatever its labels: 7 pairs x 2 labels -> 28 reads (samples(), workers 0 and 2; training batches with a shuffle buffer)", async () => {
    for (const workers of [0, 2]) {
      const loader = await open(paired7("valid"), "valid", { workers });
      expect(await collect(loader.samples())).toHaveLength(14);
      expect(loader.stats().decodes).toBe(28);
    }
    const train = await open(paired7("train"), "train", { labelSampling: "all" });
    const batches = await collect(train.batches({ batchSize: 2, epochs: 1, shuffleBufferNumBatch: 3 }));
    expect(batches).toHaveLength(7);
    expect(train.stats().decodes).toBe(28);
  });

  it("an image whose value range overflows float32 (min -3e38, max 3e38) -> VALUE_RANGE naming the file, as DeepReg's [0, 1] check after normalisation", async () => {
    const loader = await open(datasetConfig("paired", "nifti", ["wide"], { labeled: false }), "train", { shuffle: false });
    const error = await collect(loader.samples()).catch((e: unknown) => e);
    const file = join(root, "wide", "moving_images", "b.nii.gz");
    expect(error).toMatchObject({ code: "VALUE_RANGE", file });
    expect((error as Error).message).toContain(`${file}: image values must be finite with a finite range max - min, found values from`);
  });

  it("unpaired labels with 2 and 3 channels -> LABEL_COUNT at createDataLoader naming the odd label (check's rule), not in a later epoch", async () => {
    const error = await open(datasetConfig("unpaired", "nifti", ["counts"]), "train").catch((e: unknown) => e);
    const file = join(root, "counts", "labels", "e.nii.gz");
    expect(error).toMatchObject({ code: "LABEL_COUNT", file });
    expect((error as Error).message).toBe(
      `${file}: 3 label channels, but 4 other labels have 2; unpaired images are paired with each other, so every label needs the same number of channels`,
    );
  });

  it("samples own their arrays: writing into every sample changes nothing that comes after (cache, labels of one pair, 3D labels, grouped images in several pairs)", async () => {
    const grouped = { ...datasetConfig("grouped", "nifti", ["grouped"]), sample_image_in_group: false };
    const cases: [DatasetConfig, Split, DataLoaderOptions][] = [
      [paired7("valid"), "valid", {}],
      [paired7("valid"), "valid", { cacheBytes: 2 ** 20 }],
      [paired7("train"), "train", {}],
      [datasetConfig("paired", "nifti", ["paired1"]), "train", {}],
      [datasetConfig("paired", "nifti", ["paired1"]), "train", { cacheBytes: 2 ** 20 }],
      [grouped, "train", { prefetch: 8 }],
    ];
    for (const [config, split, options] of cases) {
      const reference = await open(config, split, options);
      const expected = [...(await collect(reference.samples({ epoch: 0 }))), ...(await collect(reference.samples({ epoch: 1 })))].map(plain);
      const loader = await open(config, split, options);
      const got: ReturnType<typeof plain>[] = [];
      const buffers = new Set<ArrayBufferLike>();
      for (const epoch of [0, 1]) {
        for await (const s of loader.samples({ epoch })) {
          got.push(plain(s));
          for (const v of [s.movingImage, s.fixedImage, s.movingLabel!, s.fixedLabel!]) {
            expect(buffers.has(v.data.buffer)).toBe(false);
            buffers.add(v.data.buffer);
            v.data.fill(-1);
          }
        }
      }
      expect(got).toEqual(expected);
    }
  });
});
