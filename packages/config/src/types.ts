import type { DataFormat, DatasetType, IntraGroupOption } from "@deepreg-loader/core";

/** A triple of positive integers, `[dim1, dim2, dim3]`. */
export type Shape3 = [number, number, number];

/** Intra-group pair ordering of grouped data (core's vocabulary). */
export type { IntraGroupOption };

/**
 * One split (`dataset.train`, `dataset.valid`, `dataset.test`) after normalisation: `dir` is
 * always a list (in the order written, paths as written: the loader resolves them against
 * the current directory, like DeepReg), `format` lower-case.
 */
export interface SplitConfig {
  dir: string[];
  format: DataFormat;
  labeled: boolean;
}

/**
 * The normalised `dataset:` section. Keys stay snake_case as users write them. A split that is
 * absent, empty or has an empty `dir` is `null` (that split has no loader).
 * For `unpaired` and `grouped`, `moving_image_shape` and `fixed_image_shape` both equal
 * `image_shape`.
 */
export interface DatasetConfig {
  type: DatasetType;
  train: SplitConfig | null;
  valid: SplitConfig | null;
  test: SplitConfig | null;
  moving_image_shape: Shape3;
  fixed_image_shape: Shape3;
  /** Set for unpaired and grouped data. */
  image_shape?: Shape3;
  /** Grouped only. */
  intra_group_prob?: number;
  /** Grouped only. */
  intra_group_option?: IntraGroupOption;
  /** Grouped only. */
  sample_image_in_group?: boolean;
}

/** DeepReg's `train.preprocess` section, defaulted. */
export interface PreprocessConfig {
  batch_size: number;
  shuffle_buffer_num_batch: number;
  /** -1 means "as many as there are cores". */
  num_parallel_calls: number;
  data_augmentation?: unknown;
}

/** A whole DeepReg config: `dataset` validated, `train.preprocess` defaulted, other sections kept as written. */
export interface DeepRegConfig {
  dataset: DatasetConfig;
  train: { preprocess: PreprocessConfig; [key: string]: unknown };
  [section: string]: unknown;
}
