import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import type { AugmentationRecord, Sample } from "@deepreg-loader/core";
import { randomFor } from "@deepreg-loader/samplers";
import { warpAffine, warpDdf } from "@deepreg-loader/volume-ops";
import { applyAugmentation, applyTransform } from "./apply-augmentation.js";
import { ddfFromLowRes } from "./ddf-from-low-res.js";
import { augmentSample, drawAugmentation } from "./draw-augmentation.js";
import type { AugmentationTransform } from "./draw-augmentation.js";
import { randomAffine } from "./random-affine.js";
import { randomDdf } from "./random-ddf.js";
import { noisy } from "./test-helpers.js";

function sample(labeled = true): Sample {
  const s: Sample = { movingImage: noisy([6, 5, 7], 1), fixedImage: noisy([5, 7, 6], 2), indices: [3, 1] };
  if (labeled) {
    s.movingLabel = noisy([6, 5, 7], 3);
    s.fixedLabel = noisy([5, 7, 6], 4);
  }
  return s;
}

const AFFINE: AugmentationTransform = { name: "affine", scale: 0.1 };
const DDF: AugmentationTransform = { name: "ddf", fieldStrength: 2, lowResSize: [2, 3, 2] };

describe("applyTransform", () => {
  it("applyTransform(v, affine record) = warpAffine(v, theta)", () => {
    const v = noisy([6, 5, 7]);
    const record = randomAffine(randomFor(1, "t"));
    expect(Array.from(applyTransform(v, record).data)).toEqual(Array.from(warpAffine(v, record.theta).data));
  });

  it("applyTransform(v, ddf record) = warpDdf(v, ddfFromLowRes(field, lowResShape, shape))", () => {
    const v = noisy([6, 5, 7]);
    const record = randomDdf(randomFor(1, "t"), [6, 5, 7], { fieldStrength: 2, lowResSize: [2, 2, 3] });
    const expected = warpDdf(v, ddfFromLowRes(record.lowResField, record.lowResShape, [6, 5, 7]));
    expect(Array.from(applyTransform(v, record).data)).toEqual(Array.from(expected.data));
  });

  it("applyTransform(v, unknown record) throws INVALID_ARGUMENT", () => {
    expect(() => applyTransform(noisy([2, 2, 2]), { name: "rotate" } as unknown as AugmentationRecord)).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining('"rotate"') }),
    );
  });
});

describe("augmentSample", () => {
  it("augmentSample(sample, [affine], random) warps each image and its label with its own theta", () => {
    const input = sample();
    const out = augmentSample(input, [AFFINE], randomFor(5, "s"));
    const { moving, fixed } = out.augmentation!;
    expect(moving).toHaveLength(1);
    expect(fixed).toHaveLength(1);
    expect(moving[0]).not.toEqual(fixed[0]);
    const m = moving[0] as AugmentationRecord;
    const f = fixed[0] as AugmentationRecord;
    expect(Array.from(out.movingImage.data)).toEqual(Array.from(applyTransform(input.movingImage, m).data));
    expect(Array.from(out.movingLabel!.data)).toEqual(Array.from(applyTransform(input.movingLabel!, m).data));
    expect(Array.from(out.fixedImage.data)).toEqual(Array.from(applyTransform(input.fixedImage, f).data));
    expect(Array.from(out.fixedLabel!.data)).toEqual(Array.from(applyTransform(input.fixedLabel!, f).data));
    expect(out.fixedImage.shape).toEqual([5, 7, 6]);
    expect(out.indices).toEqual([3, 1]);
  });

  it("augmentSample(sample, [affine, ddf], random) draws moving then fixed per transform and applies them in order", () => {
    const input = sample();
    const out = augmentSample(input, [AFFINE, DDF], randomFor(9, "s"));
    const random = randomFor(9, "s");
    const expected = {
      moving: [] as AugmentationRecord[],
      fixed: [] as AugmentationRecord[],
    };
    expected.moving.push(randomAffine(random, { scale: 0.1 }));
    expected.fixed.push(randomAffine(random, { scale: 0.1 }));
    expected.moving.push(randomDdf(random, [6, 5, 7], { fieldStrength: 2, lowResSize: [2, 3, 2] }));
    expected.fixed.push(randomDdf(random, [5, 7, 6], { fieldStrength: 2, lowResSize: [2, 3, 2] }));
    expect(out.augmentation).toEqual(expected);
    const twice = applyTransform(applyTransform(input.movingLabel!, expected.moving[0]!), expected.moving[1]!);
    expect(Array.from(out.movingLabel!.data)).toEqual(Array.from(twice.data));
  });

  it("augmentSample(unlabeled sample, transforms, random) adds no labels", () => {
    const out = augmentSample(sample(false), [DDF], randomFor(2, "s"));
    expect("movingLabel" in out).toBe(false);
    expect("fixedLabel" in out).toBe(false);
    expect(out.augmentation!.moving[0]!.name).toBe("ddf");
  });

  it("augmentSample(sample, [], random) returns the sample itself without an augmentation key", () => {
    const input = sample();
    const out = augmentSample(input, [], randomFor(2, "s"));
    expect(out).toBe(input);
    expect("augmentation" in out).toBe(false);
  });

  it("augmentSample(sample, transforms, random) leaves the input sample unchanged", () => {
    const input = sample();
    const before = Array.from(input.movingImage.data);
    augmentSample(input, [AFFINE, DDF], randomFor(4, "s"));
    expect(Array.from(input.movingImage.data)).toEqual(before);
    expect("augmentation" in input).toBe(false);
  });

  it("augmentSample(sample, [{ affine, scale 0 }]) zeroes exactly the index-0 faces", () => {
    const input = sample();
    const out = augmentSample(input, [{ name: "affine", scale: 0 }], randomFor(4, "s"));
    const [d1, d2, d3] = input.fixedImage.shape as [number, number, number];
    for (let i = 0; i < d1; i++) for (let j = 0; j < d2; j++) for (let k = 0; k < d3; k++) {
      expect(out.fixedImage.get(i, j, k)).toBe(i === 0 || j === 0 || k === 0 ? 0 : input.fixedImage.get(i, j, k));
    }
  });

  it("applyAugmentation(sample, records from JSON) replays augmentSample exactly", () => {
    const input = sample();
    const out = augmentSample(input, [AFFINE, DDF], randomFor(11, "s"));
    const replay = applyAugmentation(input, JSON.parse(JSON.stringify(out.augmentation)));
    for (const key of ["movingImage", "fixedImage", "movingLabel", "fixedLabel"] as const) {
      expect(Array.from(replay[key]!.data)).toEqual(Array.from(out[key]!.data));
    }
  });

  it("drawAugmentation(transforms, shapes, random) checks low_res_size against each image", () => {
    expect(() => drawAugmentation([{ name: "ddf", fieldStrength: 1, lowResSize: [6, 1, 1] }], { moving: [6, 5, 7], fixed: [5, 7, 6] }, randomFor(1))).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("[5, 7, 6]") }),
    );
  });

  it("augmentSample on a channel-last 4D label warps every channel with the image's transform", () => {
    const input: Sample = { ...sample(), movingLabel: createVolume(noisy([6, 5, 7, 2]).data, [6, 5, 7, 2]) };
    const out = augmentSample(input, [AFFINE], randomFor(5, "c"));
    expect(out.movingLabel!.shape).toEqual([6, 5, 7, 2]);
    expect(Array.from(out.movingLabel!.data)).toEqual(Array.from(warpAffine(input.movingLabel!, (out.augmentation!.moving[0] as { theta: number[] }).theta).data));
  });
});
