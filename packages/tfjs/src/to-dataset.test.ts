// toDataset over a real loader (NIfTI files written to a temp folder, the built deepreg-loader):
// fitDataset's epochs are the loader's epochs, in order, and nothing leaks.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { createDataLoader, writeNifti } from "deepreg-loader";
import type { DataLoader } from "deepreg-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchToTensors, toDataset } from "./index.js";

const SHAPE = [4, 5, 6];
const CASES = 6;
let root: string;
let loader: DataLoader;

beforeAll(async () => {
  await tf.setBackend("cpu");
  root = await mkdtemp(join(tmpdir(), "drl-tfjs-"));
  const n = SHAPE[0]! * SHAPE[1]! * SHAPE[2]!;
  for (const top of ["moving_images", "fixed_images", "moving_labels", "fixed_labels"]) {
    await mkdir(join(root, "train", top), { recursive: true });
    for (let c = 0; c < CASES; c++) {
      const label = top.endsWith("labels");
      const data = Float32Array.from({ length: n }, (_, i) => (label ? (i + c) % 2 : (i * 7 + c * 13) % 31));
      await writeNifti(join(root, "train", top, `case${c}.nii.gz`), { data, shape: SHAPE });
    }
  }
  const dataset = {
    type: "paired",
    train: { dir: join(root, "train"), format: "nifti", labeled: true },
    moving_image_shape: SHAPE,
    fixed_image_shape: SHAPE,
  };
  const opened = await createDataLoader(dataset as never, "train", { seed: 7 });
  if (opened === null) throw new Error("the train split has data");
  loader = opened;
});

afterAll(async () => {
  await loader?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** The loader's own index stream of `epochs` training epochs, one array per epoch. */
async function loaderEpochs(from: number, to: number): Promise<number[][][]> {
  const epochs: number[][][] = [];
  for (let e = from; e < to; e++) {
    const rows: number[][] = [];
    for await (const b of loader.batches({ batchSize: 2, training: true, startEpoch: e, epochs: e + 1 })) rows.push(...b.indices);
    epochs.push(rows);
  }
  return epochs;
}

describe("toDataset(loader, options)", () => {
  it("model.fitDataset(dataset, { epochs: 3 }) trains on the loader's epochs 0, 1, 2 (3 different orders) and leaks no tensor", async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: SHAPE }), tfl.layers.dense({ units: 1, kernelInitializer: "zeros" })],
    });
    model.compile({ optimizer: tf.train.sgd(0.001), loss: "meanSquaredError" });
    const seen: number[][] = [];
    const dataset = toDataset(loader, { batchSize: 2, training: true }).map((b) => {
      seen.push(...(b.indices.arraySync() as number[][]));
      return { xs: b.movingImage, ys: tf.reshape(tf.mean(b.fixedImage, [1, 2, 3]), [-1, 1]) };
    });
    const before = tf.memory().numTensors;
    const history = await model.fitDataset(dataset, { epochs: 3, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    expect(history.history.loss).toHaveLength(3);

    const perEpoch = CASES / 2; // pairs per epoch, batches of 2, drop remainder: 6 samples
    const epochs = [seen.slice(0, perEpoch * 2), seen.slice(perEpoch * 2, perEpoch * 4), seen.slice(perEpoch * 4)];
    expect(epochs.map((e) => e.length)).toEqual([6, 6, 6]);
    expect(epochs).toEqual(await loaderEpochs(0, 3));
    const orders = new Set(epochs.map((e) => JSON.stringify(e)));
    expect(orders.size).toBe(3);
    model.dispose();
  });

  it("toDataset(loader, { startEpoch: 2 }) starts at epoch 2 and each forEachAsync is the next epoch", async () => {
    const dataset = toDataset(loader, { batchSize: 2, training: true, startEpoch: 2 });
    const got: number[][][] = [];
    for (let k = 0; k < 2; k++) {
      const rows: number[][] = [];
      await dataset.forEachAsync((b) => {
        rows.push(...(b.indices.arraySync() as number[][]));
        tf.dispose(b);
      });
      got.push(rows);
    }
    expect(got).toEqual(await loaderEpochs(2, 4));
  });

  it("an iterator created but never read claims no epoch", async () => {
    const dataset = toDataset(loader, { batchSize: 2, training: true });
    await dataset.iterator(); // dropped, as fitDataset does with its first one
    const it = await dataset.iterator();
    const rows: number[][] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) {
      rows.push(...(r.value.indices.arraySync() as number[][]));
      tf.dispose(r.value);
    }
    expect([rows]).toEqual(await loaderEpochs(0, 1));
  });

  it("batchToTensors(batch) wraps the batch's arrays without copying, int32 indices [B, n]", async () => {
    for await (const batch of loader.batches({ batchSize: 3, training: false, epochs: 1 })) {
      const before = tf.memory().numTensors;
      const t = batchToTensors(batch);
      expect(tf.memory().numTensors).toBe(before + 5);
      const values = (id: object) => (tf.backend() as unknown as { data: { get(id: object): { values: unknown } } }).data.get(id).values;
      expect(values(t.movingImage.dataId)).toBe(batch.movingImage.data);
      expect(values(t.fixedLabel!.dataId)).toBe(batch.fixedLabel!.data);
      expect(t.movingImage.shape).toEqual([3, ...SHAPE]);
      expect(t.indices.dtype).toBe("int32");
      expect(t.indices.arraySync()).toEqual(batch.indices);
      tf.dispose(t);
      expect(tf.memory().numTensors).toBe(before);
      break;
    }
  });

  it("toDataset(loader, { startEpoch: -1 }) throws INVALID_ARGUMENT", () => {
    expect(() => toDataset(loader, { batchSize: 2, startEpoch: -1 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
