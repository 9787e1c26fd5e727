export { affineFromNoise, AFFINE_CORNERS } from "./affine-from-noise.js";
export { randomAffine, DEFAULT_AFFINE_SCALE } from "./random-affine.js";
export type { RandomAffineOptions, AffineRecord } from "./random-affine.js";
export { randomDdf, DEFAULT_FIELD_STRENGTH, DEFAULT_LOW_RES_SIZE } from "./random-ddf.js";
export type { RandomDdfOptions, DdfRecord } from "./random-ddf.js";
export { randomNormal } from "./random-normal.js";
export { ddfFromLowRes } from "./ddf-from-low-res.js";
export { applyTransform, applyAugmentation } from "./apply-augmentation.js";
export { augmentSample, drawAugmentation, drawTransform } from "./draw-augmentation.js";
export type { AugmentationTransform, AugmentationShapes } from "./draw-augmentation.js";
export {
  validateAugmentation,
  parseAugmentation,
  AUGMENTATION_CONFIG_PATH,
  AUGMENTATION_ARGUMENTS,
} from "./validate-augmentation.js";
export type {
  AugmentationProblem,
  AugmentationValidation,
  ValidateAugmentationOptions,
} from "./validate-augmentation.js";
export type { AugmentationRecord, SampleAugmentation } from "@deepreg-loader/core";
