import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import type { Sample } from "@deepreg-loader/core";
import { renderPreview, writePreview } from "./preview.js";

/** moving [4,4,3] all 0.5 with a label of 1 at voxel (1, 2, 1); fixed [2,2,2] all 1. */
function sample(labelIndex: number): Sample {
  const movingLabel = new Float32Array(48);
  movingLabel[1 * 12 + 2 * 3 + 1] = 1;
  return {
    movingImage: createVolume(new Float32Array(48).fill(0.5), [4, 4, 3]),
    fixedImage: createVolume(new Float32Array(8).fill(1), [2, 2, 2]),
    movingLabel: createVolume(movingLabel, [4, 4, 3]),
    fixedLabel: createVolume(new Float32Array(8), [2, 2, 2]),
    indices: [0, labelIndex],
  };
}

describe("renderPreview / writePreview", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "drl-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writePreview(path, [label 0, label 1 samples]) writes a 258x258 PNG with the labels in red and green", async () => {
    const path = join(dir, "p.png");
    expect(await writePreview(path, [sample(0), sample(1)])).toEqual({ width: 258, height: 258 });
    const png = PNG.sync.read(await readFile(path));
    expect([png.width, png.height]).toEqual([258, 258]);
    const pixel = (x: number, y: number) => [...png.data.subarray((y * 258 + x) * 4, (y * 258 + x) * 4 + 4)];
    // Moving tile, scale 32: voxel (1, 2) of slice k = 1 sits at x 32..63, y (3 - 2) * 32 = 32..63.
    expect(pixel(40, 40)).toEqual([191, 64, 64, 255]); // 127.5 grey * 0.5 + red 255 * 0.5 = 191.25
    expect(pixel(40, 130 + 40)).toEqual([64, 191, 64, 255]); // second row: label index 1 -> green
    expect(pixel(8, 8)).toEqual([128, 128, 128, 255]); // grey 0.5, no label
    expect(pixel(130 + 8, 8)).toEqual([255, 255, 255, 255]); // fixed tile, value 1, label 0
    expect(pixel(128, 8)).toEqual([96, 96, 96, 255]); // separator
  });

  it("renderPreview([label at k=0 of a [4,4,5] volume], { slice }) shows it with 'label', not with 'mid'", () => {
    const data = new Float32Array(80);
    data[1 * 20 + 2 * 5 + 0] = 1; // voxel (1, 2, 0)
    const s: Sample = {
      movingImage: createVolume(new Float32Array(80).fill(0.5), [4, 4, 5]),
      fixedImage: createVolume(new Float32Array(80).fill(0.5), [4, 4, 5]),
      movingLabel: createVolume(data, [4, 4, 5]),
      fixedLabel: createVolume(new Float32Array(80), [4, 4, 5]),
      indices: [0, 0],
    };
    const at = (image: { data: Uint8Array; width: number }, x: number, y: number) => [...image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4)];
    // Moving tile, scale 32: voxel (1, 2) sits at x 32..63, y 32..63.
    expect(at(renderPreview([s]), 40, 40)).toEqual([128, 128, 128, 255]);
    expect(at(renderPreview([s], { slice: "mid" }), 40, 40)).toEqual([128, 128, 128, 255]);
    expect(at(renderPreview([s], { slice: "label" }), 40, 40)).toEqual([191, 64, 64, 255]);
    expect(at(renderPreview([s], { slice: "label" }), 130 + 40, 40)).toEqual([128, 128, 128, 255]); // empty fixed label: mid slice
  });

  it("writePreview(new/sub/p.png, samples) creates the folder", async () => {
    const path = join(dir, "new", "sub", "p.png");
    expect(await writePreview(path, [sample(0)])).toEqual({ width: 258, height: 128 });
    expect(PNG.sync.read(await readFile(path)).height).toBe(128);
  });

  it("renderPreview([]) throws EMPTY", () => {
    expect(() => renderPreview([])).toThrow(/no samples/);
  });
});
