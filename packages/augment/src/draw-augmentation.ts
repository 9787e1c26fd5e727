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
  | {
      /** A random affine transform. */
      name: "affine";
      /** Noise is uniform in `[1 - scale, 1]` (DeepReg's `scale`, default 0.1). */
      scale: number;
    }
  | {
      /** A random dense displacement field. */
      name: "ddf";
      /** Each component's strength is uniform in `[0, fieldStrength]` (DeepReg's `field_strength`, default 1). */
      fieldStrength: number;
      /** Shape of the low-resolution field (DeepReg's `low_res_size`, default `[1, 1, 1]`). */
      lowResSize: [number, number, number];
    };

/** Spatial shapes of a sample's moving and fixed images. */
export interface AugmentationShapes {
  /** Spatial shape `[d1, d2, d3]` of the moving image. */
  moving: readonly number[];
  /** Spatial shape `[d1, d2, d3]` of the fixed image. */
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
 *
 * @example
 * ```ts
 * import { createVolume } from "@deepreg-loader/core";
 * import { randomFor } from "@deepreg-loader/samplers";
 * import { describe } from "@deepreg-loader/volume-ops";
 * import { augmentSample, parseAugmentation } from "@deepreg-loader/augment";
 *
 * // DeepReg's `train.preprocess.data_augmentation`, as read from the YAML.
 * const transforms = parseAugmentation([{ name: "affine" }, { name: "ddf", field_strength: 2, low_res_size: [2, 2, 2] }], {
 *   imageShapes: [[8, 9, 10]],
 * });
 * const ramp = (salt) => createVolume(Float32Array.from({ length: 720 }, (_, n) => ((n * 37 + salt) % 100) / 100), [8, 9, 10]);
 * const sample = { movingImage: ramp(0), fixedImage: ramp(7), movingLabel: ramp(3), fixedLabel: ramp(5), indices: [0, 0] };
 *
 * const out = augmentSample(sample, transforms, randomFor(42, 0, "augment", 0));
 * console.log(describe(out.movingImage), describe(out.fixedLabel));
 * // float32 [8, 9, 10] min 0 max 0.810958 float32 [8, 9, 10] min 0 max 0.721393
 * console.log(out.augmentation.fixed[1].lowResShape, out.augmentation.fixed[1].lowResField.length);
 * // [ 2, 2, 2 ] 24
 * ```
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
