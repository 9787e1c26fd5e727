// Main-thread reads with re-used scratch (loader/volume-source.ts #withScratch): reads in flight
// at once never share one, and every prepared volume equals a read without any scratch.
import { afterAll, describe, expect, it } from "vitest";
import { readNifti } from "@deepreg-loader/io-nifti";
import { normalize } from "@deepreg-loader/volume-ops";
import { DEEPREG_DATA, deepregPath } from "../../../../test-utils/deepreg-data.js";
import { createFileLoader } from "./file-loaders.js";
import { VolumeSource } from "./volume-source.js";

describe.skipIf(DEEPREG_DATA === undefined)("VolumeSource at workers 0: main-thread scratch", () => {
  const sources: VolumeSource[] = [];
  afterAll(() => Promise.all(sources.map((s) => s.close())));

  it("six image reads at once, then six one by one, equal readNifti + normalize of each file; each label channel equals readNifti's", async () => {
    const root = deepregPath("data", "test", "nifti", "paired", "train");
    const ids = ["case000000", "case000001", "case000002", "case000003", "case000004", "case000005"];
    const images = createFileLoader("nifti", ids.map((id) => ({ id, path: `${root}/moving_images/${id}.nii.gz` })));
    const labels = createFileLoader("nifti", ids.map((id) => ({ id, path: `${root}/moving_labels/${id}.nii.gz` })));
    const source = new VolumeSource(0, 0);
    sources.push(source);
    const ctx = source.open();
    const expected = await Promise.all(ids.map(async (id) => Array.from(normalize(await readNifti(`${root}/moving_images/${id}.nii.gz`)).data)));
    const shape = (await readNifti(`${root}/moving_images/${ids[0]}.nii.gz`)).shape as [number, number, number];
    const atOnce = await Promise.all(ids.map((_, i) => source.volume("image", images, i, shape, undefined, ctx).promise));
    atOnce.forEach((v, i) => expect(Array.from(v.data)).toEqual(expected[i]));
    for (let i = 0; i < ids.length; i++) {
      expect(Array.from((await source.volume("image", images, i, shape, undefined, ctx).promise).data)).toEqual(expected[i]);
    }
    for (let i = 0; i < ids.length; i++) {
      const path = `${root}/moving_labels/${ids[i]}.nii.gz`;
      const whole = await readNifti(path);
      const channels = whole.shape.length === 4 ? (whole.shape[3] as number) : 1;
      const reads = Array.from({ length: channels }, (_, c) => source.volume("label", labels, i, shape, c, ctx).promise);
      const got = await Promise.all(reads);
      for (let c = 0; c < channels; c++) {
        expect(Array.from(got[c]!.data)).toEqual(Array.from((await readNifti(path, { channel: c })).data));
      }
    }
    await source.end(ctx, true);
  }, 60_000);
});
