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
  /** The split's data folders, always a list, in the order and spelling written. */
  dir: string[];
  /** The file format, lower-case: `nifti` or `h5`. */
  format: DataFormat;
  /** Whether the split has labels (`*_label` files or keys). */
  labeled: boolean;
}

/**
 * The normalised `dataset:` section. Keys stay snake_case as users write them. A split that is
 * absent, empty or has an empty `dir` is `null` (that split has no loader).
 * For `unpaired` and `grouped`, `moving_image_shape` and `fixed_image_shape` both equal
 * `image_shape`.
 */
export interface DatasetConfig {
  /** `paired`, `unpaired` or `grouped`. */
  type: DatasetType;
  /** The training split; `null` when absent, empty or with an empty `dir`. */
  train: SplitConfig | null;
  /** The validation split; `null` when absent, empty or with an empty `dir`. */
  valid: SplitConfig | null;
  /** The test split; `null` when absent, empty or with an empty `dir`. */
  test: SplitConfig | null;
  /** The shape moving images (and labels) are resized to. */
  moving_image_shape: Shape3;
  /** The shape fixed images (and labels) are resized to. */
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
  /** Samples per batch (default in `PREPROCESS_DEFAULTS`). */
  batch_size: number;
  /** DeepReg's shuffle buffer size, in batches (kept for compatibility; default in `PREPROCESS_DEFAULTS`). */
  shuffle_buffer_num_batch: number;
  /** -1 means "as many as there are cores". */
  num_parallel_calls: number;
  /** The `data_augmentation` section as written (validated by the augmentation code, not here). */
  data_augmentation?: unknown;
}

/** A whole DeepReg config: `dataset` validated, `train.preprocess` defaulted, other sections kept as written. */
export interface DeepRegConfig {
  /** The `dataset:` section, validated and normalised. */
  dataset: DatasetConfig;
  /** The `train:` section: `preprocess` defaulted, other keys as written. */
  train: {
    /** `train.preprocess`, defaulted. */
    preprocess: PreprocessConfig;
    [key: string]: unknown;
  };
  [section: string]: unknown;
}
