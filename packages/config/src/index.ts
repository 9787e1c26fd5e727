export { readConfig } from "./read-config.js";
export type { ReadConfigOptions } from "./read-config.js";
export { validateConfig } from "./validate-config.js";
export { normaliseDatasetConfig } from "./normalise-dataset.js";
export { isNormalisedDataset } from "./normalised.js";
export { mergeConfigs } from "./merge-configs.js";
export { parseConfigYaml } from "./parse-config-yaml.js";
export { formatConfigProblem } from "./problems.js";
export { didYouMean, editDistance } from "./did-you-mean.js";
export type { ConfigProblem, ValidationResult } from "./problems.js";
export { PREPROCESS_DEFAULTS } from "./validate-train.js";
export type {
  DeepRegConfig,
  DatasetConfig,
  SplitConfig,
  PreprocessConfig,
  Shape3,
  IntraGroupOption,
} from "./types.js";
