import type { AugmentationRecord, Sample, SampleAugmentation } from "@deepreg-loader/core";
import type { Random } from "@deepreg-loader/samplers";
import { applyAugmentation } from "./apply-augmentation.js";
import { randomAffine } from "./random-affine.js";
import { randomDdf } from "./random-ddf.js";

/**
 * One transform of a normalised augmentation list (DeepReg's config entry with its defaults
 * filled in, arguments in camelCase); see `validateAugmentation`.
 */
export type AugmentationTransform =
  | { name: "affine"; scale: number }
  | { name: "ddf"; fieldStrength: number; lowResSize: [number, number, number] };

/** Spatial shapes of a sample's moving and fixed images. */
export interface AugmentationShapes {
  moving: readonly number[];
  fixed: readonly number[];
}

/** One record for one image of spatial `shape`, drawn from `random`. */
export function drawTransform(random: Random, transform: AugmentationTransform, shape: readonly number[]): AugmentationRecord {
  if (transform.name === "affine") return randomAffine(random, { scale: transform.scale });
  return randomDdf(random, shape, { fieldStrength: transform.fieldStrength, lowResSize: transform.lowResSize });
}

/**
 * The parameters of one sample's augmentation, drawn from `random`: for each transform in
 * order, the moving image's record, then the fixed image's (independent draws, as DeepReg
 * draws moving and fixed parameters per transform). Pure: the same stream gives the same
 * records, whatever thread later applies them (`applyAugmentation`).
 */
export function drawAugmentation(
  transforms: readonly AugmentationTransform[],
  shapes: AugmentationShapes,
  random: Random,
): SampleAugmentation {
  const moving: AugmentationRecord[] = [];
  const fixed: AugmentationRecord[] = [];
  for (const transform of transforms) {
    moving.push(drawTransform(random, transform, shapes.moving));
    fixed.push(drawTransform(random, transform, shapes.fixed));
  }
  return { moving, fixed };
}

/**
 * DeepReg's training augmentation of one sample: `transforms` applied in order, the moving
 * image and label with the moving parameters, the fixed ones with independent fixed
 * parameters (`drawAugmentation`, then `applyAugmentation`). Returns a new sample with
 * `augmentation = { moving: [...], fixed: [...] }`, one record per transform; `indices`
 * unchanged. An empty `transforms` returns the sample unchanged (no `augmentation` key).
 */
export function augmentSample(sample: Sample, transforms: readonly AugmentationTransform[], random: Random): Sample {
  if (transforms.length === 0) return sample;
  const augmentation = drawAugmentation(
    transforms,
    { moving: sample.movingImage.shape.slice(0, 3), fixed: sample.fixedImage.shape.slice(0, 3) },
    random,
  );
  return applyAugmentation(sample, augmentation);
}
