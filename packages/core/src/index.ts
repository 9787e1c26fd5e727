export { DeepRegLoaderError, isDeepRegLoaderError } from "./errors.js";
export type { ErrorCode, DeepRegLoaderErrorOptions } from "./errors.js";
export { DTYPES, DTYPE_BYTES } from "./dtypes.js";
export type { DType } from "./dtypes.js";
export { createVolume, zerosVolume, shapeSize, toVolumeData, fromVolumeData } from "./volume.js";
export type { Volume, VolumeData } from "./volume.js";
export type {
  Sample,
  Batch,
  AugmentationRecord,
  SampleAugmentation,
  DatasetType,
  DataFormat,
  Split,
  LabelSampling,
  WarningHandler,
} from "./sample.js";
export type { FileLoader, DataSource } from "./file-loader.js";
export { didYouMean, editDistance } from "./did-you-mean.js";
export { SPLITS, INTRA_GROUP_OPTIONS, GROUPED_DEFAULTS, defaultLabelSampling } from "./vocabulary.js";
export type { IntraGroupOption } from "./vocabulary.js";
export { bigintToFloat32 } from "./bigint-to-float32.js";
export { DEFAULT_MAX_BYTES } from "./limits.js";
