// loader/create-data-loader.ts: `createDataLoader`: the arguments checked, the split scanned
// and judged by the dataset rules (throwing the first error), the files opened, the loader
// built. May import core, config and loader/.
import type { Split } from "@deepreg-loader/core";
import { normaliseDatasetConfig } from "@deepreg-loader/config";
import type { DatasetConfig } from "@deepreg-loader/config";
import { assertSplit } from "./data-loader-arguments.js";
import { DeepRegDataLoader } from "./data-loader.js";
import { openSplitLayout } from "./layout.js";
import { resolveOptions } from "./options.js";
import type { DataLoaderOptions, LabeledDataLoader, UnlabeledDataLoader } from "./types.js";

/**
 * Opens `split` of a dataset config: validates the arguments, scans the split (every image and
 * label header, no voxels), applies every dataset rule (the rules `checkDataset` reports) and
 * returns a loader, narrowed by `loader.labeled` (`LabeledDataLoader`: labels typed present). `config` is `config.dataset` from `readConfig`, or a dataset object written
 * as in a YAML file (validated and normalised here, see `normaliseDatasetConfig`).
 * Throws `INVALID_ARGUMENT` for a split other than train/valid/test, the whole config instead of
 * `config.dataset`, bad or unknown options; `INVALID_CONFIG` for an invalid dataset config;
 * `NOT_FOUND` naming the split when the config gives it no data directory; otherwise the first
 * error of the dataset rules, with the code, file and message `check` reports for it.
 */
export async function createDataLoader(
  config: DatasetConfig | Readonly<Record<string, unknown>>,
  split: Split,
  options: DataLoaderOptions = {},
): Promise<LabeledDataLoader | UnlabeledDataLoader> {
  assertSplit(split);
  const settings = resolveOptions(split, options);
  const dataset = normaliseDatasetConfig(config, settings.onWarning);
  const layout = await openSplitLayout(dataset, split, {
    onWarning: settings.onWarning,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(settings.maxBytes === undefined ? {} : { maxBytes: settings.maxBytes }),
  });
  try {
    return new DeepRegDataLoader(dataset, split, layout, settings) as unknown as LabeledDataLoader | UnlabeledDataLoader;
  } catch (error) {
    await layout.close();
    throw error;
  }
}
