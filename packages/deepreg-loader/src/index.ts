// deepreg-loader: the public API of every @deepreg-loader package, plus the file layouts, the
// data loader and the pipeline of this package.
export * from "@deepreg-loader/core";
export * from "@deepreg-loader/config";
export * from "@deepreg-loader/samplers";
export * from "@deepreg-loader/volume-ops";
export * from "@deepreg-loader/io-nifti";
export * from "@deepreg-loader/io-h5";
// Exported by both config and samplers (the same union): samplers' is the one the plans use.
export type { IntraGroupOption } from "@deepreg-loader/samplers";
// Exported by both core and samplers (samplers re-exports core's).
export type { LabelSampling } from "@deepreg-loader/core";

// Data loader
export { createDataLoader } from "./data-loader.js";
export type {
  DataLoader,
  DataLoaderOptions,
  SamplesOptions,
  BatchesOptions,
  LoaderStats,
  ShardSpec,
} from "./data-loader.js";

// File layouts (reused by the CLI's `check` and `info`)
export { openSplitLayout, layoutEntries, LAYOUT_FOLDERS } from "./layout.js";
export type { SplitLayout, OpenLayoutOptions } from "./layout.js";
export {
  listNiftiFiles,
  niftiId,
  NIFTI_SUFFIXES,
  sortIds,
  compareIds,
  assertSameIds,
  describeIdsDifference,
  parseGroupKey,
  groupH5Keys,
} from "./layout-ids.js";
export type { NiftiEntry, NamedIds, IdsDifference } from "./layout-ids.js";
export { createNiftiLoader, createH5Loader, concatLoaders } from "./file-loaders.js";
export type { FormatFileLoader } from "./file-loaders.js";

// Pipeline building blocks
export { orderedMap } from "./pipeline/ordered-map.js";
export type { OrderedMapOptions } from "./pipeline/ordered-map.js";
export { WorkerPool } from "./pipeline/worker-pool.js";
export type { WorkerPoolOptions } from "./pipeline/worker-pool.js";
export { LruCache } from "./pipeline/lru-cache.js";
export { shuffleBufferOrder } from "./pipeline/shuffle-buffer.js";
export { prepareVolume } from "./pipeline/prepare-volume.js";
export type { VolumeTask, VolumeKind, PreparedVolume } from "./pipeline/prepare-volume.js";

// Pre-flight check (CLI `check`)
export { checkDataset } from "./check.js";
export type { CheckReport, CheckOptions, CheckProblem } from "./check.js";
