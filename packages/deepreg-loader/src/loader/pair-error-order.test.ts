// Which error a pair reports when several of its reads fail: the first in the pair's order
// (moving image, fixed image, moving label, fixed label), not the first in time, so the error is
// the same for any workers and any timing.
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeNifti, readNifti } from "@deepreg-loader/io-nifti";
// Worker threads run the built worker script: the loader comes from the build.
import { createDataLoader } from "../../dist/index.js";
import { datasetConfig, image, tempDir, writePaired } from "./data-loader-fixtures.js";

let root: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ root, remove } = await tempDir());
});

afterAll(() => remove());

describe("a pair with several failing reads", () => {
  for (const workers of [0, 2]) {
    it(`workers ${workers}: a moving image that fails late (damaged at the end of 16 MB) wins over a fixed label that fails at once (deleted)`, async () => {
      const dir = join(root, `w${workers}`);
      await writePaired("nifti", dir, ["a"], { channels: 1 });
      // The moving image: 160^3 float32 whose deflate stream is damaged near its end, so the read
      // fails only after inflating nearly all of it.
      const big = gzipSync(encodeNifti(image([160, 160, 160], 1)), { level: 1 });
      for (let k = big.length - 64; k < big.length - 16; k++) big[k] = (big[k] as number) ^ 0xa5;
      const moving = join(dir, "moving_images", "a.nii.gz");
      await writeFile(moving, big);
      // What reading it alone gives (a cut deflate stream: TRUNCATED), after ~16 MB of inflating.
      const alone = (await readNifti(moving).catch((e: unknown) => e)) as { code?: string };
      expect(alone.code).toMatch(/^(TRUNCATED|READ_FAILED)$/);
      const loader = await createDataLoader(datasetConfig("paired", "nifti", [dir]), "train", { workers });
      try {
        // Removed after the loader listed it: its read fails at once (NOT_FOUND).
        await rm(join(dir, "fixed_labels", "a.nii.gz"));
        const error = await (async () => {
          for await (const _ of loader.samples({ epoch: 0 })) return undefined;
          return undefined;
        })().catch((e: unknown) => e);
        expect(error).toMatchObject({ name: "DeepRegLoaderError", code: alone.code, file: moving });
      } finally {
        await loader.close();
      }
    });
  }
});
