// dataset/check-dataset.ts: `checkDataset` = the scan of a split + every rule, reported in full
// (CLI `check`). May import core, config (types) and dataset/.
import type { DataFormat, DatasetType, Split } from "@deepreg-loader/core";
import type { DatasetConfig } from "@deepreg-loader/config";
import type { CheckProblem } from "./problem.js";
import { applyRules } from "./rules.js";
import { scanSplit } from "./scan.js";
import type { DatasetScan, ScanProgress } from "./scan.js";

/** Progress of `checkDataset`: `done` of `total` volumes inspected, the last one being `file` (and `key`). */
export type CheckProgress = ScanProgress;

/** Options of {@link checkDataset}. */
export interface CheckOptions {
  /** Directory the config's relative `dir`s are resolved against. Default `process.cwd()` (like DeepReg). */
  cwd?: string;
  /** Called after each volume (NIfTI file or H5 key) is inspected. */
  onProgress?: (progress: CheckProgress) => void;
  /**
   * Read headers only (shapes; uncompressed NIfTI: the file size the header implies): no value
   * ranges, no corrupt compressed data found. Default false: every image and label is decoded,
   * so the check passes exactly when the loader can stream every sample.
   */
  headersOnly?: boolean;
  /** Worker threads that decode (the loader's worker pool); 0 decodes on the main thread. Default 0. */
  workers?: number;
  /**
   * Largest volume a read may return, bytes of float32 output, NIfTI and H5 alike (the
   * loader's `maxBytes`; pass the same value). Default `DEFAULT_MAX_BYTES` (2^31) from core.
   */
  maxBytes?: number;
  /**
   * DeepReg's `train.preprocess.data_augmentation` value (the whole config's), judged for the
   * train split by the `augmentation-config` rule as the loader judges it. Default: none.
   */
  augmentation?: unknown;
}

/** The outcome of `checkDataset`. */
export interface CheckReport {
  /** The split checked. */
  split: Split;
  /** The dataset type of the config. */
  type: DatasetType;
  /** Undefined when the config has no directory for the split. */
  format?: DataFormat;
  /** Whether the config says the split is labeled. */
  labeled: boolean;
  /** What the scan saw (directories, tops, volumes with shapes and value ranges). */
  scan: DatasetScan;
  /** Every problem found; the dataset is usable when this is empty. */
  problems: CheckProblem[];
  /** Things the loader accepts but that are probably not meant (a label shape that differs from its image's, hidden files skipped). */
  warnings: CheckProblem[];
  /** Files opened (NIfTI files and H5 files). */
  filesChecked: number;
  /** Volumes inspected (NIfTI files and H5 keys). */
  volumesChecked: number;
  /** Images decoded. */
  imagesRead: number;
  /** Labels decoded (values checked to lie in [0, 1]). */
  labelsScanned: number;
  /** Whether every volume was decoded (false with `headersOnly`). */
  imagesDecoded: boolean;
}

const strip = ({ severity: _s, rule: _r, ...p }: CheckProblem & { severity?: unknown; rule?: unknown }): CheckProblem => p;

/**
 * Pre-flight check of every file of one split: the scan (every header, and unless
 * `headersOnly` every volume decoded) judged by every rule of `DATASET_RULES`, collecting
 * every problem instead of stopping at the first. Never throws for a data problem.
 */
export async function checkDataset(datasetConfig: DatasetConfig, split: Split, options: CheckOptions = {}): Promise<CheckReport> {
  const scan = await scanSplit(datasetConfig, split, {
    decode: !(options.headersOnly ?? false),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  });
  const found = applyRules(scan, datasetConfig, { augmentation: options.augmentation });
  const report: CheckReport = {
    split,
    type: datasetConfig.type,
    labeled: scan.labeled,
    scan,
    problems: found.filter((p) => p.severity === "error").map(strip),
    warnings: found.filter((p) => p.severity === "warning").map(strip),
    filesChecked: scan.filesChecked,
    volumesChecked: scan.volumesChecked,
    imagesRead: scan.imagesRead,
    labelsScanned: scan.labelsRead,
    imagesDecoded: scan.decoded,
  };
  if (scan.format !== undefined) report.format = scan.format;
  return report;
}
