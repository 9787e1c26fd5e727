// deepreg-loader: the public API of every @deepreg-loader package, plus the file layouts, the
// data loader and the pipeline of this package.
export * from "@deepreg-loader/core";
export * from "@deepreg-loader/config";
export * from "@deepreg-loader/samplers";
export * from "@deepreg-loader/volume-ops";
export * from "@deepreg-loader/io-nifti";
export * from "@deepreg-loader/io-h5";
export * from "@deepreg-loader/augment";
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

// File layouts: the folders/files a split is read from
export { openSplitLayout, LAYOUT_FOLDERS } from "./layout.js";
export type { SplitLayout, OpenLayoutOptions } from "./layout.js";
export type { FormatFileLoader } from "./file-loaders.js";

// Pre-flight check (CLI `check`)
export { checkDataset } from "./check.js";
export type { CheckReport, CheckOptions, CheckProblem, CheckProgress } from "./check.js";

// Export to .npy + manifest.json (CLI `export`)
export { exportSamples, MANIFEST_FILE } from "./export.js";
export type { ExportManifest, ExportOptions, SampleSource, ManifestFiles } from "./export.js";
export { encodeNpy, writeNpy } from "./export-npy.js";

// PNG previews (CLI `preview`)
export { renderPreview, writePreview, encodePng } from "./preview.js";
export type { PreviewOptions } from "./preview.js";
export type { RgbaImage } from "./preview-montage.js";
