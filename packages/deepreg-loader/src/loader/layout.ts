// loader/layout.ts: the files of one split, opened for reading: the config-only dataset rules
// (before any file is read), the scan (headers), the other rules (the first error is thrown,
// warnings go to `onWarning`), then one file loader per role in DeepReg's order. May import
// core, config, io-h5, dataset/ and loader/file-loaders.
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { DataFormat, DatasetType, DataSource, Split, WarningHandler } from "@deepreg-loader/core";
import type { DatasetConfig } from "@deepreg-loader/config";
import { openH5 } from "@deepreg-loader/io-h5";
import type { H5File } from "@deepreg-loader/io-h5";
import { splitOrder } from "../dataset/order.js";
import { errorFromProblem } from "../dataset/problem.js";
import { applyConfigRules, applyScanRules } from "../dataset/rules.js";
import type { Problem } from "../dataset/problem.js";
import type { RuleInputs } from "../dataset/rules.js";
import { scanSplit } from "../dataset/scan.js";
import type { ScannedVolume } from "../dataset/scan.js";
import { labelChannels } from "../dataset/volume-rules.js";
import { createFileLoader } from "./file-loaders.js";
import type { FormatFileLoader } from "./file-loaders.js";

export { LAYOUT_FOLDERS, layoutEntries } from "../dataset/layout-names.js";

/**
 * The files of one split, opened: a loader per role over every data directory, in DeepReg's
 * order (docs/conventions.md). For unpaired and grouped data the moving and fixed loaders are
 * the same object.
 */
export interface SplitLayout {
  /** The dataset type. */
  type: DatasetType;
  /** The split's file format. */
  format: DataFormat;
  /** Whether the split is labeled. */
  labeled: boolean;
  /** The data directories, resolved (`~` expanded). */
  dirs: string[];
  /** The moving images, in DeepReg's order. */
  movingImages: FormatFileLoader;
  /** The fixed images (unpaired, grouped: the same object as `movingImages`). */
  fixedImages: FormatFileLoader;
  /** The moving labels, one per moving image; null when unlabeled. */
  movingLabels: FormatFileLoader | null;
  /** The fixed labels (unpaired, grouped: the same object as `movingLabels`); null when unlabeled. */
  fixedLabels: FormatFileLoader | null;
  /** Label channels of each moving / fixed label (3D: 1, 4D: the last dimension); null when unlabeled. */
  movingLabelChannels: number[] | null;
  /** Label channels of each fixed label, as `movingLabelChannels`. */
  fixedLabelChannels: number[] | null;
  /** Grouped: observation indices (into `movingImages`) of each group, in group order; else null. */
  groups: number[][] | null;
  /** Grouped: a name per group (`<dir>/images/<relative folder>` or `<dir>/images.h5 keys group-<g>-*`); else null. */
  groupNames: string[] | null;
  /** Closes open files (H5). */
  close(): Promise<void>;
}

/** Options of {@link openSplitLayout}. */
export interface OpenLayoutOptions {
  /** Directory that relative data dirs resolve against. Default `process.cwd()`. */
  cwd?: string;
  /** Called with each warning of the dataset rules (a label shape that differs from its image's, hidden files). */
  onWarning?: WarningHandler;
  /** The readers' size cap, bytes of float32 output per volume (NIfTI and H5). Default core's `DEFAULT_MAX_BYTES` (2 GiB). */
  maxBytes?: number;
  /**
   * DeepReg's `train.preprocess.data_augmentation` value the train split applies, judged by the
   * `augmentation-config` rule before any file is read. Default: none.
   */
  augmentation?: unknown;
}

const sourceOf = (v: ScannedVolume): DataSource => (v.key === undefined ? { id: v.id, path: v.file } : { id: v.id, path: v.file, key: v.key });

/**
 * Applies the config-only dataset rules, scans `split` of `config` (headers, no voxels), applies
 * the other rules and opens the files. Throws the first error the rules find, as
 * `checkDataset` reports it (same code, file and message): `INVALID_CONFIG` (the train split's
 * augmentation, before any file is read), `NOT_FOUND` (no data dir for the split, a missing
 * folder or H5 file), `EMPTY`, `IDS_MISMATCH`, `BAD_KEY`, `SHAPE`, `LABEL_COUNT`, `GROUP_SIZE`,
 * read errors of a header.
 */
export async function openSplitLayout(config: DatasetConfig, split: Split, options: OpenLayoutOptions = {}): Promise<SplitLayout> {
  const inputs: RuleInputs = { augmentation: options.augmentation };
  const judge = (problems: Problem[]): void => {
    const first = problems.find((p) => p.severity === "error");
    if (first !== undefined) throw errorFromProblem(first, { split, rule: first.rule });
    for (const w of problems) if (w.severity === "warning") options.onWarning?.(w.message);
  };
  judge(applyConfigRules(split, config, inputs));
  const scan = await scanSplit(config, split, options.cwd === undefined ? {} : { cwd: options.cwd });
  judge(applyScanRules(scan, config, inputs));
  const format = scan.format as DataFormat;
  const order = splitOrder(scan);
  const h5Files = new Map<string, H5File>();
  const cap = options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes };
  const close = async (): Promise<void> => {
    for (const f of h5Files.values()) f.close();
    h5Files.clear();
  };
  try {
    if (format === "h5") {
      for (const dir of scan.dirs) for (const top of dir.tops) h5Files.set(top.path, await openH5(top.path, cap));
    }
  } catch (error) {
    await close();
    throw error;
  }
  const loaderOf = (volumes: readonly (ScannedVolume | undefined)[]): FormatFileLoader =>
    createFileLoader(format, volumes.map((v) => sourceOf(v as ScannedVolume)), h5Files, options.maxBytes);
  const channelsOf = (volumes: readonly (ScannedVolume | undefined)[] | null): number[] | null =>
    volumes === null ? null : volumes.map((v) => labelChannels(v?.shape ?? []));
  const movingImages = loaderOf(order.movingImages);
  const fixedImages = order.fixedImages === order.movingImages ? movingImages : loaderOf(order.fixedImages);
  const movingLabels = order.movingLabels === null ? null : loaderOf(order.movingLabels);
  const fixedLabels =
    order.fixedLabels === null ? null : order.fixedLabels === order.movingLabels ? movingLabels : loaderOf(order.fixedLabels);
  const movingLabelChannels = channelsOf(order.movingLabels);
  if (movingImages.ids.length === 0) {
    await close();
    throw new DeepRegLoaderError("EMPTY", `dataset.${split}: the split has no images in ${scan.dirs.map((d) => d.dir).join(", ")}`);
  }
  let closed = false;
  return {
    type: scan.type,
    format,
    labeled: scan.labeled,
    dirs: scan.dirs.map((d) => d.dir),
    movingImages,
    fixedImages,
    movingLabels,
    fixedLabels,
    movingLabelChannels,
    fixedLabelChannels: order.fixedLabels === order.movingLabels ? movingLabelChannels : channelsOf(order.fixedLabels),
    groups: order.groups,
    groupNames: order.groupNames,
    close: async () => {
      if (closed) return;
      closed = true;
      await close();
    },
  };
}
