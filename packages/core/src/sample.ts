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
  movingImage: Volume;
  fixedImage: Volume;
  movingLabel?: Volume;
  fixedLabel?: Volume;
  indices: number[];
}

/**
 * Samples stacked on a leading batch axis (`[B, d1, d2, d3]`), one contiguous
 * `Float32Array` each (`batch.movingImage.data`, `batch.movingImage.shape`).
 */
export interface Batch {
  movingImage: Volume;
  fixedImage: Volume;
  movingLabel?: Volume;
  fixedLabel?: Volume;
  indices: number[][];
}

/** Callback for non-fatal problems (e.g. image and label shapes differ). Libraries never log. */
export type WarningHandler = (message: string) => void;
