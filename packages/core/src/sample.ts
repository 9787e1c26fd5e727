import type { Volume } from "./volume.js";

/** Dataset types of DeepReg. */
export type DatasetType = "paired" | "unpaired" | "grouped";
/** File formats. */
export type DataFormat = "nifti" | "h5";
/** Dataset splits. */
export type Split = "train" | "valid" | "test";
/** How labels are chosen per pair: one random channel (`sample`, training) or every channel (`all`). */
export type LabelSampling = "sample" | "all";

/**
 * One registration sample: volumes normalised and resized to the loader's shapes, labels one
 * 3D channel each. `indices` as in DeepReg:
 * paired `[imageIndex, labelIndex]`, unpaired `[movingIndex, fixedIndex, labelIndex]`,
 * grouped `[movingGroup, movingImage, fixedGroup, fixedImage, labelIndex]`;
 * `labelIndex` is -1 when unlabeled.
 */
export interface Sample {
  /** The moving image, `movingImageShape` (`[d1, d2, d3]`), normalised (DeepReg's min-max: values in (0, 1]). */
  movingImage: Volume;
  /** The fixed image, `fixedImageShape` (`[d1, d2, d3]`), normalised (DeepReg's min-max: values in (0, 1]). */
  fixedImage: Volume;
  /** The moving image's label, one 3D channel resized to `movingImageShape`; absent when unlabeled. */
  movingLabel?: Volume;
  /** The fixed image's label, one 3D channel resized to `fixedImageShape`; absent when unlabeled. */
  fixedLabel?: Volume;
  /** Where the sample comes from, as in DeepReg (see above); the last one is the label index, -1 when unlabeled. */
  indices: number[];
  /**
   * The training augmentation applied to this sample, when there was one: one record per
   * transform, in the order applied, for the moving image (and label) and for the fixed image
   * (and label), drawn independently. Absent on samples that were not augmented
   * (valid/test splits, augmentation off). See docs/conventions.md#augmentation.
   */
  augmentation?: SampleAugmentation;
}

/**
 * One transform of DeepReg's training augmentation, as applied (spec/augmentation.md):
 * - `affine`: `theta`, DeepReg's 4 x 3 matrix as 12 numbers, row-major (`theta[r * 3 + c]`);
 *   locations are `(i, j, k, 1) @ theta`.
 * - `ddf`: the low-resolution displacement field, `lowResShape` `[l1, l2, l3]` and
 *   `lowResField` its values row-major `(l1, l2, l3, 3)`, already multiplied by the drawn
 *   strengths; resized to the image shape (TF2 bilinear) it is the DDF, in voxels.
 *
 * Plain numbers and arrays: a record survives JSON and `postMessage`, and replaying it with
 * `@deepreg-loader/augment`'s `applyTransform` gives the same volume.
 */
export type AugmentationRecord =
  | {
      /** An affine transform. */
      name: "affine";
      /** DeepReg's 4 x 3 matrix, 12 numbers, row-major (`theta[r * 3 + c]`). */
      theta: number[];
    }
  | {
      /** A dense displacement field. */
      name: "ddf";
      /** Shape `[l1, l2, l3]` of the low-resolution field. */
      lowResShape: [number, number, number];
      /** The low-resolution field, row-major `(l1, l2, l3, 3)`, strengths applied. */
      lowResField: number[];
    };

/** What was applied to one sample: `moving` for the moving image and label, `fixed` for the fixed ones. */
export interface SampleAugmentation {
  /** The records applied to the moving image and label, one per transform, in order. */
  moving: AugmentationRecord[];
  /** The records applied to the fixed image and label (drawn independently), one per transform, in order. */
  fixed: AugmentationRecord[];
}

/**
 * Samples stacked on a leading batch axis (`[B, d1, d2, d3]`), one contiguous
 * `Float32Array` each (`batch.movingImage.data`, `batch.movingImage.shape`).
 */
export interface Batch {
  /** The samples' moving images stacked: `[B, ...movingImageShape]`. */
  movingImage: Volume;
  /** The samples' fixed images stacked: `[B, ...fixedImageShape]`. */
  fixedImage: Volume;
  /** The samples' moving labels stacked: `[B, ...movingImageShape]`; absent when unlabeled. */
  movingLabel?: Volume;
  /** The samples' fixed labels stacked: `[B, ...fixedImageShape]`; absent when unlabeled. */
  fixedLabel?: Volume;
  /** Each sample's `indices` (see `Sample.indices`), in batch order: `B` rows. */
  indices: number[][];
  /** Each sample's `augmentation`, in batch order, when the samples were augmented. */
  augmentation?: SampleAugmentation[];
}

/** Callback for non-fatal problems (e.g. image and label shapes differ). Libraries never log. */
export type WarningHandler = (message: string) => void;
