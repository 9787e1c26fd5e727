// loader/create-data-loader.ts: `createDataLoader`: the arguments checked (the whole config's
// augmentation taken apart), the split scanned and judged by the dataset rules (throwing the
// first error), the files opened, the loader built. May import core, config and loader/.
import type { Split } from "@deepreg-loader/core";
import { normaliseDatasetConfig } from "@deepreg-loader/config";
import type { DatasetConfig, DeepRegConfig } from "@deepreg-loader/config";
import { resolveAugmentation, splitConfigArgument } from "./augment-stage.js";
import { assertSplit } from "./data-loader-arguments.js";
import { DeepRegDataLoader } from "./data-loader.js";
import { openSplitLayout } from "./layout.js";
import { resolveOptions } from "./options.js";
import type { DataLoaderOptions, LabeledDataLoader, UnlabeledDataLoader } from "./types.js";

/**
 * Opens `split` of a dataset config: validates the arguments, scans the split (every image and
 * label header, no voxels), applies every dataset rule (the rules `checkDataset` reports) and
 * returns a loader, narrowed by `loader.labeled` (`LabeledDataLoader`: labels typed present).
 * `config` is the whole config from `readConfig` (its `dataset`, and its
 * `train.preprocess.data_augmentation` unless `options.augmentation` is given), `config.dataset`,
 * or a dataset object written as in a YAML file (validated and normalised here, see
 * `normaliseDatasetConfig`). The train split applies the augmentation (loader/augment-stage.ts);
 * valid and test ignore it.
 * Throws `INVALID_ARGUMENT` for a split other than train/valid/test, bad or unknown options;
 * `INVALID_CONFIG` for an invalid dataset config, or an invalid augmentation of the train split
 * (before any file is read); `NOT_FOUND` naming the split when the config gives it no data
 * directory; otherwise the first error of the dataset rules, with the code, file and message
 * `check` reports for it.
 *
 * @example
 * ```ts
 * import { readConfig, createDataLoader } from "deepreg-loader";
 *
 * const config = await readConfig(["config/test/paired_nifti.yaml"]); // paths relative to the cwd, like DeepReg
 * // The whole config: the train split is augmented as train.preprocess.data_augmentation asks (as DeepReg).
 * const loader = await createDataLoader(config, "train", { seed: 42, workers: 2, cacheBytes: 2 ** 30 });
 * console.log(loader.numSamples, loader.movingImageShape, loader.fixedImageShape); // 25 [ 16, 16, 16 ] [ 8, 8, 8 ]
 * if (!loader.labeled) throw new Error("expected a labeled split"); // narrows: every batch has its labels
 *
 * for await (const b of loader.batches({ batchSize: 4, epochs: 2, shuffleBufferNumBatch: 2 })) {
 *   console.log(b.movingImage.shape, b.fixedLabel.shape, JSON.stringify(b.indices));
 *   // [ 4, 16, 16, 16 ] [ 4, 8, 8, 8 ] [[15,0],[24,0],[5,0],[6,0]] ...
 * }
 * await loader.close();
 * ```
 */
export async function createDataLoader(
  config: DeepRegConfig | DatasetConfig | Readonly<Record<string, unknown>>,
  split: Split,
  options: DataLoaderOptions = {},
): Promise<LabeledDataLoader | UnlabeledDataLoader> {
  assertSplit(split);
  const settings = resolveOptions(split, options);
  const argument = splitConfigArgument(config, options);
  const dataset = normaliseDatasetConfig(argument.dataset, settings.onWarning);
  const layout = await openSplitLayout(dataset, split, {
    onWarning: settings.onWarning,
    augmentation: argument.augmentation,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(settings.maxBytes === undefined ? {} : { maxBytes: settings.maxBytes }),
  });
  try {
    settings.augmentation = resolveAugmentation(argument.augmentation, split, dataset);
    return new DeepRegDataLoader(dataset, split, layout, settings) as unknown as LabeledDataLoader | UnlabeledDataLoader;
  } catch (error) {
    await layout.close();
    throw error;
  }
}
