import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import type { Sample } from "@deepreg-loader/core";
import { exportSamples } from "./export.js";
import type { SampleSource } from "./export.js";

/** A source of `n` samples whose volumes are filled with their sample number (+ 0.5 for fixed). */
function fakeSource(n: number, labeled: boolean): SampleSource & { epochs: number[] } {
  const epochs: number[] = [];
  return {
    epochs,
    numSamples: 2,
    movingImageShape: [3, 2, 2],
    fixedImageShape: [2, 2, 1],
    async *samples({ epoch }) {
      epochs.push(epoch);
      for (let i = 0; i < n; i++) {
        const s: Sample = {
          movingImage: createVolume(new Float32Array(12).fill(i), [3, 2, 2]),
          fixedImage: createVolume(new Float32Array(4).fill(i + 0.5), [2, 2, 1]),
          indices: [i, labeled ? i % 2 : -1],
        };
        if (labeled) {
          s.movingLabel = createVolume(new Float32Array(12).fill(1), [3, 2, 2]);
          s.fixedLabel = createVolume(new Float32Array(4).fill(0.25), [2, 2, 1]);
        }
        yield s;
      }
    },
  };
}

describe("exportSamples", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "drl-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("exportSamples(3 labeled samples, out, { epoch: 4 }) writes 12 .npy files and the manifest", async () => {
    const out = join(dir, "a", "b");
    const source = fakeSource(3, true);
    const written: number[] = [];
    const manifest = await exportSamples(source, out, { type: "paired", split: "valid" }, { epoch: 4, onSample: (n) => written.push(n) });
    expect(source.epochs).toEqual([4]);
    expect(written).toEqual([1, 2, 3]);
    expect(manifest.samples[2]).toEqual({
      indices: [2, 0],
      files: {
        moving_image: "00002_moving_image.npy",
        fixed_image: "00002_fixed_image.npy",
        moving_label: "00002_moving_label.npy",
        fixed_label: "00002_fixed_label.npy",
      },
    });
    expect(JSON.parse(await readFile(join(out, "manifest.json"), "utf8"))).toEqual(manifest);
    expect([manifest.type, manifest.split, manifest.numSamples, manifest.movingImageShape, manifest.fixedImageShape]).toEqual([
      "paired",
      "valid",
      2,
      [3, 2, 2],
      [2, 2, 1],
    ]);
    expect((await readdir(out)).sort().slice(0, 4)).toEqual([
      "00000_fixed_image.npy",
      "00000_fixed_label.npy",
      "00000_moving_image.npy",
      "00000_moving_label.npy",
    ]);
    const bytes = await readFile(join(out, "00001_fixed_image.npy"));
    expect(bytes.length).toBe(128 + 4 * 4);
    expect(bytes.readFloatLE(128)).toBe(1.5);
    expect(new TextDecoder().decode(bytes.subarray(10, 128))).toContain("'shape': (2, 2, 1)");
  });

  it("exportSamples(5 unlabeled samples, out, { limit: 2 }) stops after 2, no label files", async () => {
    const out = join(dir, "c");
    const manifest = await exportSamples(fakeSource(5, false), out, { type: "unpaired", split: "train" }, { limit: 2 });
    expect(manifest.samples).toEqual([
      { indices: [0, -1], files: { moving_image: "00000_moving_image.npy", fixed_image: "00000_fixed_image.npy" } },
      { indices: [1, -1], files: { moving_image: "00001_moving_image.npy", fixed_image: "00001_fixed_image.npy" } },
    ]);
    expect((await readdir(out)).length).toBe(5);
  });
});
