// The CLI with DeepReg's train.preprocess.data_augmentation: export and preview of the train
// split are augmented (parameters in the manifest), --no-augment turns it off, check reports a
// bad value.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAugmentation } from "@deepreg-loader/augment";
import { createVolume } from "@deepreg-loader/core";
import type { Sample } from "@deepreg-loader/core";
import { tempDir, writePaired } from "../loader/data-loader-fixtures.js";
import { run } from "./test-io.js";

let root: string;
let remove: () => Promise<void>;

const yaml = (augmentation: string) =>
  [
    "dataset:",
    "  type: paired",
    "  moving_image_shape: [6, 5, 4]",
    "  fixed_image_shape: [5, 6, 4]",
    "  train: { dir: data, format: nifti, labeled: true }",
    "  valid: { dir: data, format: nifti, labeled: true }",
    "train:",
    "  preprocess:",
    `    data_augmentation: ${augmentation}`,
    "    batch_size: 2",
    "",
  ].join("\n");

beforeAll(async () => {
  ({ root, remove } = await tempDir());
  await writePaired("nifti", join(root, "data"), ["a", "b", "c"]);
  await writeFile(join(root, "aug.yaml"), yaml("{ name: affine, scale: 0.2 }"));
  await writeFile(join(root, "bad.yaml"), yaml("[{ name: afine }, { name: ddf, low_res_size: [7, 1, 1] }]"));
});

afterAll(async () => {
  await remove();
});

/** Reads a float32 `.npy` written by export (header then little-endian data). */
async function npy(path: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  const headerLength = bytes.readUInt16LE(8);
  const start = 10 + headerLength;
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.byteLength));
}

const FILES = [
  ["movingImage", "moving_image", [6, 5, 4]],
  ["fixedImage", "fixed_image", [5, 6, 4]],
  ["movingLabel", "moving_label", [6, 5, 4]],
  ["fixedLabel", "fixed_label", [5, 6, 4]],
] as const;

async function sampleOf(out: string, files: Record<string, string>, indices: number[]): Promise<Sample> {
  const entries = await Promise.all(FILES.map(async ([key, file, shape]) => [key, createVolume(await npy(join(out, files[file]!)), shape)] as const));
  return { ...(Object.fromEntries(entries) as Pick<Sample, "movingImage" | "fixedImage" | "movingLabel" | "fixedLabel">), indices };
}

describe("deepreg-loader with data_augmentation", () => {
  it("export --split train writes augmented samples, each with its parameters in the manifest; --no-augment writes the plain ones", async () => {
    const aug = join(root, "out-aug");
    const plain = join(root, "out-plain");
    const a = await run(["export", "aug.yaml", "--split", "train", "--out", aug, "--seed", "3"], root);
    const p = await run(["export", "aug.yaml", "--split", "train", "--out", plain, "--seed", "3", "--no-augment"], root);
    expect([a.code, a.stderr, p.code, p.stderr]).toEqual([0, "", 0, ""]);
    const augManifest = JSON.parse(await readFile(join(aug, "manifest.json"), "utf8"));
    const plainManifest = JSON.parse(await readFile(join(plain, "manifest.json"), "utf8"));
    expect(augManifest.samples.map((s: { indices: number[] }) => s.indices)).toEqual(plainManifest.samples.map((s: { indices: number[] }) => s.indices));
    expect(plainManifest.samples.every((s: object) => !("augmentation" in s))).toBe(true);
    expect(augManifest.samples).toHaveLength(3);
    for (const [k, entry] of augManifest.samples.entries()) {
      expect(entry.augmentation.moving[0].name).toBe("affine");
      expect(entry.augmentation.moving[0].theta).toHaveLength(12);
      const before = await sampleOf(plain, plainManifest.samples[k].files, entry.indices);
      const after = await sampleOf(aug, entry.files, entry.indices);
      const replay = applyAugmentation(before, entry.augmentation);
      for (const [key] of FILES) expect(Array.from(after[key]!.data)).toEqual(Array.from(replay[key]!.data));
    }
  });

  it("export --split valid is never augmented", async () => {
    const out = join(root, "out-valid");
    expect((await run(["export", "aug.yaml", "--split", "valid", "--out", out], root)).code).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8"));
    expect(manifest.samples.every((s: object) => !("augmentation" in s))).toBe(true);
  });

  it("preview --split train accepts --no-augment", async () => {
    const r = await run(["preview", "aug.yaml", "--split", "train", "--out", join(root, "p.png"), "--samples", "1", "--no-augment"], root);
    expect([r.code, r.stderr]).toEqual([0, ""]);
  });

  it("check bad.yaml reports every augmentation problem with the train split, exit 1", async () => {
    const r = await run(["check", "bad.yaml", "--split", "train"], root);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")).toEqual([
      'train.preprocess.data_augmentation[0].name: expected one of affine, ddf, found "afine" (did you mean "affine"?) [INVALID_CONFIG]',
      "train.preprocess.data_augmentation[1].low_res_size: [7, 1, 1] exceeds the image shape [6, 5, 4] on axis 0 (each axis must be at most the image's) [INVALID_CONFIG]",
      expect.stringMatching(/^train: 2 problems \(/),
      "",
    ]);
  });

  it("export bad.yaml --split train fails with INVALID_CONFIG before reading files", async () => {
    const r = await run(["export", "bad.yaml", "--split", "train", "--out", join(root, "out-bad")], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("train.preprocess.data_augmentation[0].name");
    expect(r.stderr).toContain("[INVALID_CONFIG]");
  });
});
