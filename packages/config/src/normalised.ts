// Which dataset objects this package produced (validateConfig / readConfig), so a consumer can
// use them as they are instead of validating them again. A produced object that was changed
// since (a shape overridden by hand) no longer counts: it is validated like any other.
import type { DatasetConfig } from "./types.js";

const produced = new WeakMap<object, string>();

/** Records `dataset` as normalised output, as it is now. */
export function rememberNormalised(dataset: DatasetConfig): void {
  produced.set(dataset, JSON.stringify(dataset));
}

/** Whether `value` is a dataset config this package produced, unchanged since. */
export function isNormalisedDataset(value: unknown): value is DatasetConfig {
  if (typeof value !== "object" || value === null) return false;
  const snapshot = produced.get(value);
  return snapshot !== undefined && snapshot === JSON.stringify(value);
}
