// One size cap for NIfTI and H5: the loader's and check's `maxBytes` reach the readers, on the
// main thread and in the worker pool.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MAX_BYTES } from "@deepreg-loader/core";
import type { DataFormat } from "@deepreg-loader/core";
import { DEFAULT_MAX_BYTES as NIFTI_DEFAULT } from "@deepreg-loader/io-nifti";
import { checkDataset } from "../dataset/check-dataset.js";
// Worker threads run the built worker script: the workers variant uses the built loader.
import { checkDataset as checkFromDist, createDataLoader as createFromDist } from "../../dist/index.js";
import { createDataLoader } from "./create-data-loader.js";
import { datasetConfig, tempDir, writeImages } from "./data-loader-fixtures.js";

let root = "";
let remove: () => Promise<void> = async () => undefined;
beforeAll(async () => {
  ({ root, remove } = await tempDir());
  // Images 5x4x3 (240 bytes as float32), labels 5x4x3x2 (480 bytes).
  for (const format of ["nifti", "h5"] as const) await writeImages(format, join(root, format), ["a", "b"]);
});
afterAll(async () => {
  await remove();
});

const config = (format: DataFormat) => datasetConfig("unpaired", format, [format], { moving: [2, 2, 2] });

async function epoch(format: DataFormat, maxBytes: number, workers: number): Promise<unknown> {
  const create = workers === 0 ? createDataLoader : createFromDist;
  const loader = await create(config(format), "train", { cwd: root, maxBytes, workers });
  try {
    for await (const _ of loader.samples({ epoch: 0 })) void _;
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await loader.close();
  }
}

describe("maxBytes", () => {
  it("DEFAULT_MAX_BYTES is 2^31, one value (io-nifti re-exports core's)", () => {
    expect(DEFAULT_MAX_BYTES).toBe(2 ** 31);
    expect(NIFTI_DEFAULT).toBe(DEFAULT_MAX_BYTES);
  });

  for (const format of ["nifti", "h5"] as const) {
    for (const workers of [0, 2]) {
      // The labels are over the cap too: the pair reports its first failure in pair order (the
      // image), whichever read fails first in time, so every run gives the same error.
      it(`createDataLoader(${format}, { maxBytes: 200, workers: ${workers} }): a 240-byte image is TOO_LARGE naming its file, every time`, async () => {
        for (let run = 0; run < 5; run++) {
          const error = (await epoch(format, 200, workers)) as { code?: string; file?: string; message?: string };
          const file = format === "h5" ? join(root, "h5", "images.h5") : expect.stringMatching(new RegExp(`^${join(root, "nifti", "images")}/[ab]\\.nii\\.gz$`));
          expect(error).toMatchObject({ name: "DeepRegLoaderError", code: "TOO_LARGE", file });
          expect(error.message).toContain("maxBytes");
        }
      });
    }

    it(`createDataLoader(${format}, { maxBytes: 480 }) streams the epoch`, async () => {
      expect(await epoch(format, 480, 0)).toBeUndefined();
    });

    it(`checkDataset(${format}, { maxBytes: 200 | 400 }) reports TOO_LARGE for each image | label (decoded whole); 480 passes`, async () => {
      const codes = async (maxBytes: number, check = checkDataset) =>
        (await check(config(format), "train", { cwd: root, maxBytes, workers: check === checkDataset ? 0 : 1 })).problems.map((p) => [p.code, p.file?.includes("images") ? "image" : "label"]);
      expect(await codes(200)).toEqual([["TOO_LARGE", "image"], ["TOO_LARGE", "image"], ["TOO_LARGE", "label"], ["TOO_LARGE", "label"]]);
      expect(await codes(400)).toEqual([["TOO_LARGE", "label"], ["TOO_LARGE", "label"]]);
      expect(await codes(400, checkFromDist)).toEqual([["TOO_LARGE", "label"], ["TOO_LARGE", "label"]]);
      expect(await codes(480)).toEqual([]);
    });
  }

  it("createDataLoader(config, { maxBytes: 0 | 'x' }) throws INVALID_ARGUMENT", async () => {
    for (const maxBytes of [0, "x"]) {
      const error = await createDataLoader(config("nifti"), "train", { cwd: root, maxBytes: maxBytes as number }).catch((e) => e);
      expect([error.code, error.message]).toEqual(["INVALID_ARGUMENT", `maxBytes must be a number > 0, found ${maxBytes}`]);
    }
  });
});
