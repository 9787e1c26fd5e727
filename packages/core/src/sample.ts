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
}

/** Callback for non-fatal problems (e.g. image and label shapes differ). Libraries never log. */
export type WarningHandler = (message: string) => void;
