// loader.recycle over small written datasets, through the BUILT package: the same values with
// and without recycling (workers, cache, resize, label sampling, batches), recycled arrays
// actually written again, and misuse ignored.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDataLoader, createVolume } from "../../dist/index.js";
import type { Batch, DataLoader, DataLoaderOptions, DatasetConfig, Sample } from "../../dist/index.js";
import { datasetConfig, tempDir, writePaired } from "./data-loader-fixtures.js";

let root: string;
let remove: () => Promise<void>;
const loaders: DataLoader[] = [];

beforeAll(async () => {
  ({ root, remove } = await tempDir());
  await writePaired("nifti", join(root, "paired"), ["a", "b", "c", "d", "e"], { channels: 2 });
});

afterAll(async () => {
  await Promise.all(loaders.splice(0).map((l) => l.close()));
  await remove();
});

/** Native shapes (moving 5x4x3, fixed 3x5x4): outputs written in one pass, into recycled arrays. */
const native = (): DatasetConfig => datasetConfig("paired", "nifti", ["paired"], { moving: [5, 4, 3], fixed: [3, 5, 4] });
/** Resized shapes: the resize's last pass writes into the recycled arrays. */
const resized = (): DatasetConfig => datasetConfig("paired", "nifti", ["paired"], { moving: [4, 3, 2], fixed: [3, 2, 4] });

async function open(config: DatasetConfig, options: DataLoaderOptions = {}): Promise<DataLoader> {
  const loader = await createDataLoader(config, "train", { cwd: root, seed: 3, ...options });
  loaders.push(loader);
  return loader;
}

function plain(s: Sample | Batch) {
  const v = (x: { shape: number[]; data: Float32Array } | undefined) => (x === undefined ? undefined : [x.shape, Array.from(x.data)]);
  return { indices: s.indices, movingImage: v(s.movingImage), fixedImage: v(s.fixedImage), movingLabel: v(s.movingLabel), fixedLabel: v(s.fixedLabel) };
}

/** Two epochs of samples (copied out before recycling when `recycle`). */
async function samplesOf(loader: DataLoader, recycle: boolean): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const epoch of [0, 1]) {
    for await (const s of loader.samples({ epoch })) {
      out.push(plain(s));
      if (recycle) loader.recycle(s);
    }
  }
  return out;
}

async function batchesOf(loader: DataLoader, batchSize: number, recycle: boolean): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const b of loader.batches({ batchSize, epochs: 2, training: false })) {
    out.push(plain(b));
    if (recycle) loader.recycle(b);
  }
  return out;
}

describe("loader.recycle", () => {
  const cases: [string, () => DatasetConfig, DataLoaderOptions][] = [
    ["native shapes, workers 0", native, { workers: 0 }],
    ["native shapes, workers 2", native, { workers: 2 }],
    ["native shapes, workers 2, all labels", native, { workers: 2, labelSampling: "all" }],
    ["native shapes, workers 0, cache on", native, { workers: 0, cacheBytes: 2 ** 20 }],
    ["resized, workers 2", resized, { workers: 2 }],
    ["resized, workers 0, all labels, cache on", resized, { workers: 0, labelSampling: "all", cacheBytes: 2 ** 20 }],
  ];
  for (const [name, config, options] of cases) {
    it(`samples() and batches() give the same values with and without recycle (${name})`, async () => {
      const expected = await samplesOf(await open(config(), options), false);
      const recycling = await open(config(), options);
      expect(await samplesOf(recycling, true)).toEqual(expected);
      for (const batchSize of [1, 2]) {
        const expectedBatches = await batchesOf(await open(config(), options), batchSize, false);
        expect(await batchesOf(recycling, batchSize, true)).toEqual(expectedBatches);
      }
      expect(recycling.stats().recycledArrays).toBeGreaterThan(0);
    });
  }

  it("at workers 0, a recycled sample's buffers hold later samples' volumes (and reusedArrays counts them)", async () => {
    const loader = await open(native(), { workers: 0, prefetch: 1 });
    const recycled = new Set<ArrayBufferLike>();
    let reusedSeen = 0;
    for await (const s of loader.samples({ epoch: 0 })) {
      for (const v of [s.movingImage, s.fixedImage, s.movingLabel!, s.fixedLabel!]) if (recycled.has(v.data.buffer)) reusedSeen += 1;
      for (const v of [s.movingImage, s.fixedImage, s.movingLabel!, s.fixedLabel!]) recycled.add(v.data.buffer);
      expect(loader.recycle(s)).toBe(4);
    }
    expect(reusedSeen).toBeGreaterThan(0);
    expect(loader.stats().reusedArrays).toBeGreaterThanOrEqual(reusedSeen);
    expect(loader.stats().recycledArrays).toBe(20);
  });

  it("at workers 2, recycled arrays go to the workers with their tasks and come back written (reusedArrays > 0)", async () => {
    const loader = await open(native(), { workers: 2, prefetch: 1 });
    for await (const s of loader.samples({ epoch: 0 })) loader.recycle(s);
    const stats = loader.stats();
    expect(stats.recycledArrays).toBe(20);
    expect(stats.reusedArrays).toBeGreaterThan(0);
  });

  for (const workers of [0, 2]) {
    it(`resized, workers ${workers}: recycled arrays take the resize's output (reusedArrays > 0)`, async () => {
      const loader = await open(resized(), { workers, prefetch: 1 });
      for await (const s of loader.samples({ epoch: 0 })) loader.recycle(s);
      const stats = loader.stats();
      expect(stats.recycledArrays).toBe(20);
      expect(stats.reusedArrays).toBeGreaterThan(0);
    });
  }

  it("at workers 2 without recycle, the outputs the loader allocates for its workers are not counted as reused", async () => {
    for (const config of [native, resized]) {
      const loader = await open(config(), { workers: 2 });
      let samples = 0;
      for await (const s of loader.samples({ epoch: 0 })) samples += s.movingImage.data.length > 0 ? 1 : 0;
      expect(samples).toBe(5);
      expect(loader.stats()).toMatchObject({ recycledArrays: 0, reusedArrays: 0 });
    }
  });

  it("recycle() ignores foreign arrays, a second recycle, a stale sample whose buffers moved on, and a closed loader", async () => {
    const loader = await open(native(), { workers: 0, prefetch: 1 });
    const iterator = loader.samples({ epoch: 0 });
    const first = (await iterator.next()).value as Sample;
    const foreign: Sample = {
      movingImage: createVolume(new Float32Array(60), [5, 4, 3]),
      fixedImage: createVolume(new Float32Array(60), [3, 5, 4]),
      indices: [0, 0],
    };
    expect(loader.recycle(foreign)).toBe(0);
    expect(loader.recycle({ ...first, movingImage: foreign.movingImage })).toBe(3);
    expect(loader.recycle(first)).toBe(1);
    expect(loader.recycle(first)).toBe(0);
    expect(loader.recycle(null as unknown as Sample)).toBe(0);
    // The next samples are written into first's buffers; recycling first again must not free them.
    const second = (await iterator.next()).value as Sample;
    const third = (await iterator.next()).value as Sample;
    const kept = [plain(second), plain(third)];
    expect(loader.recycle(first)).toBe(0);
    for await (const s of iterator) loader.recycle(s);
    expect([plain(second), plain(third)]).toEqual(kept);
    const reference = await open(native(), { workers: 0 });
    const expected: unknown[] = [];
    for await (const s of reference.samples({ epoch: 0 })) expected.push(plain(s));
    expect(kept).toEqual(expected.slice(1, 3));
    await loader.close();
    expect(loader.recycle(second)).toBe(0);
  });
});
