import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import type { AugmentationRecord, Sample, Volume } from "@deepreg-loader/core";
import { applyAugmentation, applyTransform } from "@deepreg-loader/augment";
import { BufferPool } from "./buffer-pool.js";
import { runAugmentTask, warpPrepared, warpPreparedOf, warpSample } from "./augment-task.js";

function noisy(shape: number[], seed: number): Volume {
  const size = shape.reduce((a, b) => a * b, 1);
  return createVolume(Float32Array.from({ length: size }, (_, n) => ((n * 7919 + seed * 104729) % 997) / 997), shape);
}

const AFFINE: AugmentationRecord = { name: "affine", theta: [0.95, 0.02, -0.01, 0.03, 1.02, 0.01, -0.02, 0.01, 0.97, 0.6, -0.4, 0.3] };
const DDF: AugmentationRecord = { name: "ddf", lowResShape: [2, 2, 2], lowResField: Array.from({ length: 24 }, (_, n) => Math.sin(n) * 0.8) };

const replay = (v: Volume, records: AugmentationRecord[]): Volume => records.reduce((acc, r) => applyTransform(acc, r), v);

describe("warpPrepared", () => {
  it("equals applyTransform record after record, for 3D and 4D volumes, and writes into re-used arrays", () => {
    const buffers = new BufferPool(2);
    for (const shape of [[6, 5, 4], [6, 5, 4, 3]]) {
      const v = noisy(shape, shape.length);
      const expected = replay(v, [AFFINE, DDF]);
      const input = v.data.slice();
      const out = warpPrepared({ data: input, shape: [...shape], rawShape: [7, 7, 7] }, [AFFINE, DDF], buffers);
      expect(out.shape).toEqual(shape);
      expect(out.rawShape).toEqual([7, 7, 7]);
      expect(Array.from(out.data)).toEqual(Array.from(expected.data));
      // The input is taken over: the second record's output re-uses its array, and the first
      // record's output (the intermediate) serves the next warp of that size.
      expect(out.data.buffer).toBe(input.buffer);
      const before = buffers.take(v.size) as Float32Array;
      buffers.give(before.buffer as ArrayBuffer);
      const again = warpPrepared({ data: v.data.slice(), shape: [...shape], rawShape: [7, 7, 7] }, [AFFINE], buffers);
      expect(again.data.buffer).toBe(before.buffer);
      expect(Array.from(again.data)).toEqual(Array.from(replay(v, [AFFINE]).data));
    }
  });

  it("no records: the volume as it is; an unknown record: INVALID_ARGUMENT naming the task's file", () => {
    const prepared = { data: noisy([3, 3, 3], 1).data, shape: [3, 3, 3], rawShape: [3, 3, 3] };
    expect(warpPrepared(prepared, [])).toBe(prepared);
    const task = { kind: "image", format: "nifti", path: "/d/x.nii.gz", shape: [3, 3, 3], augment: [{ name: "bogus" }] } as never;
    expect(() => warpPreparedOf({ ...prepared, data: prepared.data.slice() }, task)).toThrow(/\/d\/x\.nii\.gz/);
  });
});

describe("warpOwned's pool", () => {
  it("gets the warped input back when it spans its buffer, never a view's buffer", () => {
    const v = noisy([4, 3, 2], 5);
    const whole = new BufferPool(2);
    warpPrepared({ data: v.data.slice(), shape: [4, 3, 2], rawShape: [4, 3, 2] }, [AFFINE], whole);
    expect(whole.size).toBe(1);
    const views = new BufferPool(2);
    const backing = new Float32Array(v.size + 8);
    backing.set(v.data, 4);
    const view = backing.subarray(4, 4 + v.size);
    const out = warpPrepared({ data: view, shape: [4, 3, 2], rawShape: [4, 3, 2] }, [AFFINE], views);
    expect(views.size).toBe(0);
    expect(Array.from(out.data)).toEqual(Array.from(replay(v, [AFFINE]).data));
  });
});

describe("runAugmentTask and warpSample", () => {
  const sample = (): Sample => ({
    movingImage: noisy([6, 5, 4], 1),
    fixedImage: noisy([5, 6, 4], 2),
    movingLabel: noisy([6, 5, 4], 3),
    fixedLabel: noisy([5, 6, 4], 4),
    indices: [0, 1],
  });
  const augmentation = { moving: [AFFINE, DDF], fixed: [DDF, AFFINE] };
  const values = (s: Sample) => [s.movingImage, s.fixedImage, s.movingLabel!, s.fixedLabel!].map((v) => Array.from(v.data));

  it("a worker's task gives applyAugmentation's volumes", () => {
    const s = sample();
    const expected = applyAugmentation(sample(), augmentation);
    const { result, transfer } = runAugmentTask({ op: "augment", path: "/d/m.nii.gz", volumes: { movingImage: s.movingImage, fixedImage: s.fixedImage, movingLabel: s.movingLabel!, fixedLabel: s.fixedLabel! }, augmentation }, new BufferPool(2));
    expect(transfer).toHaveLength(4);
    expect([result.movingImage, result.fixedImage, result.movingLabel!, result.fixedLabel!].map((v) => Array.from(v.data))).toEqual(values(expected));
  });

  it("on the main thread: owned volumes are warped into re-used arrays, others left unchanged; same values", async () => {
    const s = sample();
    const fixedBefore = s.fixedImage.data.slice();
    const out = await warpSample(s, augmentation, null, "/d/m.nii.gz", { movingImage: true }, new BufferPool(2));
    expect(values(out)).toEqual(values(applyAugmentation(sample(), augmentation)));
    expect(out.augmentation).toEqual(augmentation);
    expect(Array.from(s.fixedImage.data)).toEqual(Array.from(fixedBefore));
  });

  it("through a pool: owned volumes' buffers are transferred, the others copied", async () => {
    const s = sample();
    let transferred: ArrayBuffer[] = [];
    const pool = {
      run: async (task: never, transfer?: ArrayBuffer[]) => {
        transferred = transfer ?? [];
        return runAugmentTask(structuredClone(task, { transfer }) as never, new BufferPool(2)).result;
      },
    };
    const out = await warpSample(s, augmentation, pool, "/d/m.nii.gz", { movingImage: true, fixedLabel: true });
    expect(transferred).toHaveLength(2);
    expect(s.movingImage.data.length).toBe(0); // detached: handed over
    expect(s.fixedImage.data.length).toBe(6 * 5 * 4); // copied
    expect(values(out)).toEqual(values(applyAugmentation(sample(), augmentation)));
  });
});
