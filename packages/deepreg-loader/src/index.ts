// deepreg-loader: the public API of every @deepreg-loader package, plus this package's parts:
// dataset/ (scan, rules, check), loader/ (createDataLoader), pipeline/ (workers, cache,
// read-ahead), cli/, export/, preview/. Each folder's files say what they own and may import.
export * from "@deepreg-loader/core";
export * from "@deepreg-loader/config";
export * from "@deepreg-loader/samplers";
export * from "@deepreg-loader/volume-ops";
export * from "@deepreg-loader/io-nifti";
export * from "@deepreg-loader/io-h5";
export * from "@deepreg-loader/augment";
// Exported by core and re-exported by config and samplers (the same types): core's.
export type { IntraGroupOption, LabelSampling } from "@deepreg-loader/core";
export { INTRA_GROUP_OPTIONS } from "@deepreg-loader/core";

// Data loader (loader/)
export { createDataLoader } from "./loader/create-data-loader.js";
export type {
  DataLoader,
  LabeledDataLoader,
  UnlabeledDataLoader,
  LabeledSample,
  UnlabeledSample,
  LabeledBatch,
  UnlabeledBatch,
  DataLoaderOptions,
  SamplesOptions,
  BatchesOptions,
  LoaderStats,
  ShardSpec,
} from "./loader/types.js";

// File layouts: the folders/files a split is read from
export { openSplitLayout, LAYOUT_FOLDERS, layoutEntries } from "./loader/layout.js";
export type { SplitLayout, OpenLayoutOptions } from "./loader/layout.js";
export type { FormatFileLoader } from "./loader/file-loaders.js";

// The dataset model (dataset/): one scan, one list of rules, shared by check, info and the loader
export { checkDataset } from "./dataset/check-dataset.js";
export type { CheckReport, CheckOptions, CheckProgress } from "./dataset/check-dataset.js";
export type { CheckProblem, Problem } from "./dataset/problem.js";
export { scanSplit } from "./dataset/scan.js";
export type { DatasetScan, ScannedDir, ScannedTop, ScannedVolume, ScanOptions, ScanProgress } from "./dataset/scan.js";
export { DATASET_RULES, applyRules, applyConfigRules, applyScanRules } from "./dataset/rules.js";
export type { DatasetRule, ScanRule, ConfigRule, RuleInputs } from "./dataset/rules.js";
export { splitOrder } from "./dataset/order.js";
export type { SplitOrder } from "./dataset/order.js";

// Export to .npy + manifest.json (CLI `export`)
export { exportSamples, MANIFEST_FILE } from "./export/export.js";
export type { ExportManifest, ExportOptions, SampleSource, ManifestFiles } from "./export/export.js";
export { encodeNpy, writeNpy } from "./export/export-npy.js";

// PNG previews (CLI `preview`)
export { renderPreview, writePreview, encodePng } from "./preview/preview.js";
export type { PreviewOptions } from "./preview/preview.js";
export type { RgbaImage } from "./preview/preview-montage.js";
