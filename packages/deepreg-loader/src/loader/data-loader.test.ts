// Integration tests of createDataLoader over the BUILT package (dist/), so worker threads run
// the real dist/worker.js. Build first: `pnpm turbo run build --filter=deepreg-loader...`.
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEEPREG_DATA, deepregPath } from "../../../../test-utils/deepreg-data.js";
import { createDataLoader, readConfig } from "../../dist/index.js";
import type { Batch, DataLoader, DataLoaderOptions, DatasetConfig, Sample, Split } from "../../dist/index.js";
import { datasetConfig, image, label, tempDir, truncateNifti, writeImages, writePaired, writeTop } from "./data-loader-fixtures.js";

async function config(name: string): Promise<DatasetConfig> {
  return (await readConfig([deepregPath("config", "test", `${name}.yaml`)])).dataset;
}

async function open(name: string, split: Split, options: DataLoaderOptions = {}): Promise<DataLoader> {
  const loader = await createDataLoader(await config(name), split, { cwd: DEEPREG_DATA, ...options });
  if (loader === null) throw new Error(`${name}: no ${split} split`);
  return loader;
}

/** Items of an iterable (of either loader kind: the element type is the union). */
type ItemOf<I> = I extends AsyncIterable<infer T> ? T : never;

async function collect<I extends AsyncIterable<unknown>>(iterable: I, limit = Infinity): Promise<ItemOf<I>[]> {
  const out: ItemOf<I>[] = [];
  for await (const x of iterable) {
    out.push(x as ItemOf<I>);
    if (out.length >= limit) break;
  }
  return out;
}

/** A sample as plain arrays, for exact comparisons. */
function plain(s: Sample | Batch) {
  return {
    indices: s.indices,
    movingImage: { shape: s.movingImage.shape, data: Array.from(s.movingImage.data) },
    fixedImage: { shape: s.fixedImage.shape, data: Array.from(s.fixedImage.data) },
    movingLabel: s.movingLabel && { shape: s.movingLabel.shape, data: Array.from(s.movingLabel.data) },
    fixedLabel: s.fixedLabel && { shape: s.fixedLabel.shape, data: Array.from(s.fixedLabel.data) },
  };
}

describe.skipIf(!DEEPREG_DATA)("createDataLoader over DeepReg's test data", () => {
  const loaders: DataLoader[] = [];
  const track = async (p: Promise<DataLoader>): Promise<DataLoader> => {
    const l = await p;
    loaders.push(l);
    return l;
  };
  afterAll(async () => {
    await Promise.all(loaders.map((l) => l.close()));
  });

  it.each([
    // config, split, numSamples (pairs), stream length of epoch 0 (x3 channels on valid), numIndices
    ["paired_nifti", "train", 25, 25, 2],
    ["paired_nifti", "valid", 2, 6, 2],
    ["paired_h5", "train", 3, 3, 2],
    ["unpaired_nifti", "train", 7, 7, 3],
    ["unpaired_nifti_multi_dirs", "train", 8, 8, 3],
    ["unpaired_h5", "valid", 1, 3, 3],
    ["grouped_nifti", "train", 2, 2, 5],
    ["grouped_h5", "test", 1, 3, 5],
  ] as const)("createDataLoader(%s, %s): numSamples %i, epoch 0 plan of %i index vectors of length %i", async (name, split, pairs, stream, numIndices) => {
    const loader = await track(open(name, split));
    expect(loader.numSamples).toBe(pairs);
    expect(loader.numIndices).toBe(numIndices);
    const plan = loader.plan(0);
    expect(plan).toHaveLength(stream);
    for (const v of plan) expect(v).toHaveLength(numIndices);
    // labelSampling: train samples one of the 3 channels, valid/test iterate 0, 1, 2 per pair
    if (split === "train") for (const v of plan) expect([0, 1, 2]).toContain(v[numIndices - 1]);
    else expect(plan.map((v) => v[numIndices - 1])).toEqual([0, 1, 2].flatMap(() => [0, 1, 2]).slice(0, stream));
  });

  it("samples({ epoch: 0 }) of paired_nifti valid: 2 pairs x 3 label channels, shapes 16^3 / 8^3, images in (0, 1], labels in [0, 1]", async () => {
    const loader = await track(open("paired_nifti", "valid"));
    expect(loader.movingImageShape).toEqual([16, 16, 16]);
    expect(loader.fixedImageShape).toEqual([8, 8, 8]);
    const samples = await collect(loader.samples());
    expect(samples.map((s) => s.indices)).toEqual(loader.plan(0));
    expect(samples.map((s) => s.indices[1])).toEqual([0, 1, 2, 0, 1, 2]);
    for (const s of samples) {
      expect(s.movingImage.shape).toEqual([16, 16, 16]);
      expect(s.fixedImage.shape).toEqual([8, 8, 8]);
      expect(s.movingLabel!.shape).toEqual([16, 16, 16]);
      expect(s.fixedLabel!.shape).toEqual([8, 8, 8]);
      expect(Math.min(...s.movingImage.data)).toBeGreaterThan(0);
      expect(Math.max(...s.movingImage.data)).toBeLessThanOrEqual(1);
      expect(Math.max(...s.fixedLabel!.data)).toBeLessThanOrEqual(1);
    }
    // the three samples of a pair share the images, not the labels
    expect(samples[1]!.movingImage.data).toEqual(samples[0]!.movingImage.data);
    expect(samples[1]!.movingLabel!.data).not.toEqual(samples[0]!.movingLabel!.data);
    expect(samples[1]!.movingImage.data).not.toBe(samples[0]!.movingImage.data);
  });

  // Not grouped test: in DeepReg's h5/grouped/test/images.h5, group-1-1 holds case000026's image
  // and group-1-2 case000025's, while labels.h5 (rebuilt) follows the NIfTI order: the data differ.
  it("unpaired test, grouped train: NIfTI and H5 copies of the same cases give equal streams, voxel for voxel", async () => {
    for (const [type, split] of [["unpaired", "test"], ["grouped", "train"]] as const) {
      const nifti = await track(open(`${type}_nifti`, split, { seed: 7 }));
      const h5 = await track(open(`${type}_h5`, split, { seed: 7 }));
      const a = (await collect(nifti.samples({ epoch: 1 }))).map(plain);
      const b = (await collect(h5.samples({ epoch: 1 }))).map(plain);
      expect(a.length).toBeGreaterThan(1);
      expect(b).toEqual(a);
    }
  });

  it("paired H5 train (cases 0-2) equals a NIfTI folder of the same three cases, and workers 0/1/2, prefetch, cache give the same stream", async () => {
    const { root, remove } = await tempDir();
    try {
      const src = deepregPath("data", "test", "nifti", "paired", "train");
      for (const top of ["moving_images", "fixed_images", "moving_labels", "fixed_labels"]) {
        await mkdir(join(root, top));
        for (const id of ["case000000", "case000001", "case000002"]) {
          await symlink(join(src, top, `${id}.nii.gz`), join(root, top, `${id}.nii.gz`));
        }
      }
      const cfg = await config("paired_nifti");
      const niftiCfg = { ...cfg, train: { ...cfg.train!, dir: [root] } };
      const reference = await track(open("paired_h5", "train", { seed: 3, workers: 0, prefetch: 1 }));
      const expected = (await collect(reference.batches({ batchSize: 2, epochs: 2, training: false }))).map(plain);
      expect(expected).toHaveLength(4);
      for (const options of [
        { workers: 0, prefetch: 4 },
        { workers: 1, prefetch: 1 },
        { workers: 2, prefetch: 3, cacheBytes: 2 ** 26 },
      ]) {
        const h5 = await track(open("paired_h5", "train", { seed: 3, ...options }));
        expect((await collect(h5.batches({ batchSize: 2, epochs: 2, training: false }))).map(plain)).toEqual(expected);
        const nifti = (await createDataLoader(niftiCfg, "train", { seed: 3, ...options }))!;
        loaders.push(nifti);
        expect((await collect(nifti.batches({ batchSize: 2, epochs: 2, training: false }))).map(plain)).toEqual(expected);
        expect(nifti.stats().activeWorkers).toBe(0);
      }
    } finally {
      await remove();
    }
  });

  it("batches({ batchSize: 4, training: true }) of paired_nifti train: 6 full batches an epoch (25 samples, last dropped)", async () => {
    const loader = await track(open("paired_nifti", "train", { cacheBytes: 2 ** 26 }));
    const batches = await collect(loader.batches({ batchSize: 4, epochs: 1, shuffleBufferNumBatch: 2 }));
    expect(batches).toHaveLength(6);
    for (const b of batches) {
      expect(b.movingImage.shape).toEqual([4, 16, 16, 16]);
      expect(b.fixedImage.shape).toEqual([4, 8, 8, 8]);
      expect(b.movingLabel!.shape).toEqual([4, 16, 16, 16]);
      expect(b.fixedLabel!.shape).toEqual([4, 8, 8, 8]);
      expect(b.movingImage.data).toHaveLength(4 * 16 ** 3);
      expect(b.indices).toHaveLength(4);
    }
    const seen = batches.flatMap((b) => b.indices.map((v) => v[0]));
    expect(new Set(seen).size).toBe(24);
    // the shuffle buffer changed the plan's order
    expect(seen).not.toEqual(loader.plan(0).slice(0, 24).map((v) => v[0]));
  });

  it("batches({ batchSize: 4, training: false }) of paired_nifti valid keeps the partial batch: shapes [4, ...] then [2, ...]", async () => {
    const loader = await track(open("paired_nifti", "valid"));
    const batches = await collect(loader.batches({ batchSize: 4, epochs: 1 }));
    expect(batches.map((b) => b.movingImage.shape)).toEqual([[4, 16, 16, 16], [2, 16, 16, 16]]);
    expect(batches.flatMap((b) => b.indices)).toEqual(loader.plan(0));
  });

  it("same seed -> same stream; train epochs differ; another seed differs; valid is the same every epoch", async () => {
    const a = await track(open("unpaired_nifti", "train", { seed: 11 }));
    const b = await track(open("unpaired_nifti", "train", { seed: 11 }));
    const c = await track(open("unpaired_nifti", "train", { seed: 12 }));
    const first = (await collect(a.samples({ epoch: 0 }))).map(plain);
    expect((await collect(b.samples({ epoch: 0 }))).map(plain)).toEqual(first);
    expect(a.plan(1)).not.toEqual(a.plan(0));
    expect(c.plan(0)).not.toEqual(a.plan(0));
    const valid = await track(open("grouped_nifti", "valid", { seed: 11 }));
    expect(valid.plan(5)).toEqual(valid.plan(0));
  });

  it("cacheBytes: the second epoch decodes 0 files (all cache hits); a small budget evicts", async () => {
    const loader = await track(open("unpaired_h5", "train", { cacheBytes: 2 ** 26, workers: 1 }));
    await collect(loader.samples({ epoch: 0 }));
    const after0 = loader.stats();
    expect(after0).toMatchObject({ decodes: 8, cacheHits: 0, cacheMisses: 8, cacheEntries: 8, activeWorkers: 0, activeStreams: 0 });
    // 4 images of 16^3 and 4 labels of 16^3 x 3 channels, float32
    expect(after0.cacheBytes).toBe(4 * 4 * 16 ** 3 + 4 * 4 * 3 * 16 ** 3);
    await collect(loader.samples({ epoch: 1 }));
    const after1 = loader.stats();
    expect(after1.decodes - after0.decodes).toBe(0);
    expect(after1.cacheHits).toBe(8);

    const small = await track(open("unpaired_h5", "train", { cacheBytes: 3 * 4 * 16 ** 3 }));
    await collect(small.samples({ epoch: 0 }));
    expect(small.stats().cacheEvictions).toBeGreaterThan(0);
    expect(small.stats().cacheBytes).toBeLessThanOrEqual(3 * 4 * 16 ** 3);
  });

  it("shard { index, count: 3 } of valid: disjoint parts that together are the epoch; train ranks get equal lengths, padded, every pair seen", async () => {
    const full = (await track(open("unpaired_nifti_multi_dirs", "valid"))).plan(0);
    const parts = await Promise.all([0, 1, 2].map(async (index) => (await track(open("unpaired_nifti_multi_dirs", "valid", { shard: { index, count: 3 } }))).plan(0)));
    expect(parts.flat().map((v) => v.join(",")).sort()).toEqual(full.map((v) => v.join(",")).sort());
    expect(parts[0]).toEqual(full.filter((_, i) => i % 3 === 0));
    const train = await Promise.all([0, 1, 2].map(async (index) => (await track(open("paired_nifti", "train", { shard: { index, count: 3 } }))).plan(4)));
    expect(train.map((p) => p.length)).toEqual([9, 9, 9]);
    const all = train.flat().map((v) => v[0]);
    expect(new Set(all).size).toBe(25);
  });

  it("resume: batches({ startEpoch, startBatch }) and samples({ epoch, start }) continue the uninterrupted stream exactly", async () => {
    const loader = await track(open("unpaired_nifti", "train", { seed: 5, cacheBytes: 2 ** 26 }));
    const options = { batchSize: 2, epochs: 3, shuffleBufferNumBatch: 2 };
    const full = (await collect(loader.batches(options))).map(plain);
    expect(full).toHaveLength(9); // 7 pairs -> 3 batches per epoch
    expect((await collect(loader.batches({ ...options, startEpoch: 0, startBatch: 2 }))).map(plain)).toEqual(full.slice(2));
    expect((await collect(loader.batches({ ...options, startEpoch: 1, startBatch: 1 }))).map(plain)).toEqual(full.slice(4));
    const epoch1 = (await collect(loader.samples({ epoch: 1 }))).map(plain);
    expect((await collect(loader.samples({ epoch: 1, start: 4 }))).map(plain)).toEqual(epoch1.slice(4));
  });

  it("break out of a samples() loop with workers: 2 terminates its workers", async () => {
    const loader = await track(open("paired_nifti", "train", { workers: 2 }));
    let seen = 0;
    for await (const s of loader.samples()) {
      expect(loader.stats().activeWorkers).toBe(2);
      seen += s.indices.length > 0 ? 1 : 0;
      if (seen === 2) break;
    }
    expect(loader.stats()).toMatchObject({ activeWorkers: 0, activeStreams: 0 });
  });
});

describe("createDataLoader over bad datasets", () => {
  let root: string;
  let remove: () => Promise<void>;

  beforeAll(async () => {
    ({ root, remove } = await tempDir());
    await writePaired("nifti", join(root, "good"), ["a", "b", "c"]);
    // label value 2 in moving_labels/b
    await writePaired("nifti", join(root, "range"), ["a", "b"]);
    const twos = label([5, 4, 3, 2], 0);
    twos.data.fill(2);
    await writeTop("nifti", join(root, "range"), "moving_labels", { b: twos });
    // a 2D image
    await writeImages("h5", join(root, "flat"), ["x", "y"], { labeled: false });
    await writeTop("h5", join(root, "flat2"), "images", { x: image([5, 4], 0), y: image([5, 4, 3], 1) });
    // unequal label counts: fixed labels have 3 channels
    await writePaired("h5", join(root, "counts"), ["a"]);
    await writeTop("h5", join(root, "counts"), "fixed_labels", { a: label([3, 5, 4, 3], 0) });
    // an image cut short (its header reads), and one that is not NIfTI at all
    await writePaired("nifti", join(root, "corrupt"), ["a", "b"], { labeled: false });
    await truncateNifti(join(root, "corrupt", "fixed_images", "b.nii.gz"));
    await writePaired("nifti", join(root, "notnifti"), ["a", "b"], { labeled: false });
    await writeFile(join(root, "notnifti", "fixed_images", "b.nii.gz"), "not a nifti file at all");
    // image 5x4x3 with a label 4x4x3
    await writeImages("nifti", join(root, "mismatch"), ["a", "b"], { channels: 1 });
    await writeTop("nifti", join(root, "mismatch"), "labels", { a: label([4, 4, 3], 0) });
  });

  afterAll(async () => {
    await remove();
  });

  const openAt = async (type: "paired" | "unpaired", format: "nifti" | "h5", dir: string, options: DataLoaderOptions = {}, labeled = true) =>
    (await createDataLoader(datasetConfig(type, format, [dir], { labeled }), "train", { cwd: root, ...options }))!;

  it("a small paired dataset streams 3 samples of shapes [4, 3, 2] / [3, 2, 4] with labels from 2 channels", async () => {
    await using loader = await openAt("paired", "nifti", "good");
    const samples = await collect(loader.samples());
    expect(samples.map((s) => s.indices[0]).sort()).toEqual([0, 1, 2]);
    expect(samples[0]!.movingImage.shape).toEqual([4, 3, 2]);
    expect(samples[0]!.fixedLabel!.shape).toEqual([3, 2, 4]);
  });

  it("a missing folder is NOT_FOUND, naming it", async () => {
    await expect(openAt("paired", "nifti", "nothing-here")).rejects.toMatchObject({ code: "NOT_FOUND", file: join(root, "nothing-here") });
  });

  it("label values of 2 -> LABEL_RANGE naming the file and the sample indices (workers 0 and 1)", async () => {
    for (const workers of [0, 1]) {
      await using loader = await openAt("paired", "nifti", "range", { workers, shuffle: false, labelSampling: "all" });
      const error = await collect(loader.samples()).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "LABEL_RANGE", file: join(root, "range", "moving_labels", "b.nii.gz") });
      expect((error as Error).message).toMatch(/moving_labels\/b\.nii\.gz: label values must be in \[0, 1\], found values from 2 to 2 \(sample indices \[1, 0\], epoch 0\)/);
      expect(loader.stats().activeWorkers).toBe(0);
    }
  });

  it("a 2D image -> SHAPE at createDataLoader naming the file and key", async () => {
    await expect(openAt("unpaired", "h5", "flat2", { shuffle: false }, false)).rejects.toThrow(
      /flat2\/images\.h5 \["x"\]: expected a 3D image, found 2D shape \[5, 4\]/,
    );
  });

  it("moving labels with 2 channels and fixed labels with 3 -> LABEL_COUNT at createDataLoader naming both files", async () => {
    await expect(openAt("paired", "h5", "counts")).rejects.toMatchObject({
      code: "LABEL_COUNT",
      file: join(root, "counts", "fixed_labels.h5"),
      message: `${join(root, "counts", "fixed_labels.h5")} ["a"]: 3 label channels, but the moving label ${join(root, "counts", "moving_labels.h5")} ["a"] has 2; moving and fixed labels must have the same number`,
    });
  });

  it("a corrupt file inside a worker -> the error names the file, the loop ends, workers stop", async () => {
    await using loader = await openAt("paired", "nifti", "corrupt", { workers: 1, shuffle: false }, false);
    const error = await collect(loader.samples()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "TRUNCATED", file: join(root, "corrupt", "fixed_images", "b.nii.gz") });
    expect((error as Error).message).toContain(join(root, "corrupt", "fixed_images", "b.nii.gz"));
    expect((error as Error).message).toContain("(sample indices [1, -1], epoch 0)");
    expect(loader.stats()).toMatchObject({ activeWorkers: 0, activeStreams: 0 });
  });

  it("a file that is not NIfTI -> NOT_NIFTI at createDataLoader (its header is read at open), naming the file", async () => {
    await expect(openAt("paired", "nifti", "notnifti", {}, false)).rejects.toMatchObject({
      code: "NOT_NIFTI",
      file: join(root, "notnifti", "fixed_images", "b.nii.gz"),
    });
  });

  it("an image and its label of different shapes -> one onWarning call at open naming both files (check's warning), never an error", async () => {
    const warnings: string[] = [];
    await using loader = await openAt("unpaired", "nifti", "mismatch", { onWarning: (m) => warnings.push(m), shuffle: false });
    await collect(loader.samples({ epoch: 0 }));
    await collect(loader.samples({ epoch: 1 }));
    expect(warnings).toEqual([
      `${join(root, "mismatch", "labels", "a.nii.gz")}: label shape [4, 4, 3] differs from the image shape [5, 4, 3] of ${join(root, "mismatch", "images", "a.nii.gz")}; both are resized, which may misalign them`,
    ]);
  });

  it("createDataLoader(config with a null split) throws NOT_FOUND naming the split; samples() after close() throws CLOSED; bad options throw INVALID_ARGUMENT", async () => {
    await expect(createDataLoader(datasetConfig("paired", "nifti", ["good"], { split: "test" }), "train", { cwd: root })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "dataset.train: the config gives no data directory for this split",
    });
    const loader = await openAt("paired", "nifti", "good");
    await loader.close();
    await expect(collect(loader.samples())).rejects.toMatchObject({ code: "CLOSED" });
    await expect(openAt("paired", "nifti", "good", { workers: -1 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(openAt("paired", "nifti", "good", { shard: { index: 2, count: 2 } })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
