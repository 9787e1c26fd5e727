import { DEFAULT_MAX_BYTES } from "@deepreg-loader/core";
import { clonePlain } from "./merge-configs.js";
import { rememberNormalised } from "./normalised.js";
import { isMapping, ProblemList } from "./problems.js";
import type { ValidationResult } from "./problems.js";
import type { DeepRegConfig } from "./types.js";
import { validateDataset } from "./validate-dataset.js";
import type { LabeledSource } from "./validate-dataset.js";
import { validateTrain } from "./validate-train.js";

/** Options of {@link validateConfig} (and of `readConfig`). */
export interface ValidateConfigOptions {
  /**
   * Largest volume, in bytes of float32, that an image shape (`image_shape`,
   * `moving_image_shape`, `fixed_image_shape`) may describe: the readers' cap. Default
   * 2^31 (2 GiB), the readers' default `maxBytes`.
   */
  maxBytes?: number;
}

/**
 * Validates and normalises a whole config object (already parsed and merged). Pure: reads
 * no file and no data folder. Reports every problem at once, each with its dot-path; the
 * `dataset` section is checked strictly (unknown keys are errors), `train.preprocess` is
 * checked and defaulted, every other section and key is kept as written.
 */
export function validateConfig(value: unknown, options: ValidateConfigOptions = {}): ValidationResult {
  const problems = new ProblemList();
  if (!isMapping(value)) {
    problems.expected("", "a mapping of sections (dataset, train, ...)", value);
    return { ok: false, errors: problems.errors, warnings: problems.warnings };
  }
  const { dataset, labeled } = validateDataset(value.dataset, problems, options.maxBytes ?? DEFAULT_MAX_BYTES);
  const train = validateTrain(value.train, problems);
  checkConditionalNeedsLabels(value.train, labeled, problems);

  if (problems.errors.length > 0 || dataset === undefined || train === undefined) {
    return { ok: false, errors: problems.errors, warnings: problems.warnings };
  }
  const config: DeepRegConfig = { ...(clonePlain(value) as Record<string, unknown>), dataset, train };
  rememberNormalised(dataset);
  return { ok: true, config, warnings: problems.warnings };
}

/** DeepReg refuses the conditional method on unlabeled data (the labels are its input). */
function checkConditionalNeedsLabels(train: unknown, labeled: readonly LabeledSource[], problems: ProblemList): void {
  if (!isMapping(train) || train.method !== "conditional") return;
  const reported = new Set<string>();
  for (const source of labeled) {
    if (source.labeled || reported.has(source.path)) continue;
    reported.add(source.path);
    problems.expected(source.path, 'true (train.method "conditional" needs labeled data)', false);
  }
}
