// normaliseDatasetConfig: the dataset config a loader uses as it is, from either form: the
// normalised `config.dataset` this package produced (taken as it is, no second validation) or an
// object written as in a YAML file (validated and normalised here).
import { DeepRegLoaderError, GROUPED_DEFAULTS } from "@deepreg-loader/core";
import type { WarningHandler } from "@deepreg-loader/core";
import { isNormalisedDataset } from "./normalised.js";
import { formatConfigProblem } from "./problems.js";
import type { ConfigProblem } from "./problems.js";
import type { DatasetConfig, Shape3 } from "./types.js";
import { validateConfig } from "./validate-config.js";

function invalidArgument(message: string, details: Record<string, unknown>): DeepRegLoaderError {
  return new DeepRegLoaderError("INVALID_ARGUMENT", message, { details });
}

function show(value: unknown): string {
  if (typeof value === "function") return "a function";
  return JSON.stringify(value) ?? String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The dataset config of `value`, whichever form it is in: `config.dataset` from `readConfig` or
 * `validateConfig`, unchanged since, is returned as it is; anything else (a changed
 * `config.dataset`: dirs as lists, `moving_image_shape` and `fixed_image_shape` for every type;
 * or an object written by hand as in a YAML file (`dir: "data/train"`, `image_shape` for unpaired and grouped data). When
 * `moving_image_shape` and `fixed_image_shape` are both given they are the shapes the loader
 * produces, for every type. Grouped sampling keys that are missing get `GROUPED_DEFAULTS`
 * (1, `forward`, true). Warnings go to `onWarning`.
 * Throws `INVALID_ARGUMENT` for the whole config (`{ dataset: ... }`) or a non-object,
 * `INVALID_CONFIG` listing every problem with its dot-path.
 */
export function normaliseDatasetConfig(value: unknown, onWarning: WarningHandler = () => undefined): DatasetConfig {
  if (isNormalisedDataset(value)) return value;
  if (!isPlainObject(value)) {
    throw invalidArgument(
      `the dataset config must be config.dataset (a mapping with type, train, valid, test and the image shapes), found ${show(value)}`,
      { dataset: value },
    );
  }
  if (Object.hasOwn(value, "dataset")) {
    throw invalidArgument(
      `pass config.dataset, not the whole config: createDataLoader(config.dataset, split) (found keys ${Object.keys(value).join(", ")})`,
      { keys: Object.keys(value) },
    );
  }
  const view: Record<string, unknown> = { ...value };
  const { type } = value;
  let fixedOverride: unknown;
  // The normalised form keeps moving and fixed shapes for every type: validate them as image_shape.
  const bothShapes = value.moving_image_shape !== undefined && value.fixed_image_shape !== undefined;
  const shapesAsImageShape = (type === "unpaired" || type === "grouped") && bothShapes;
  if (shapesAsImageShape) {
    delete view.moving_image_shape;
    delete view.fixed_image_shape;
    view.image_shape = value.moving_image_shape;
    if (!sameShape(value.moving_image_shape, value.fixed_image_shape)) fixedOverride = value.fixed_image_shape;
  }
  if (type === "grouped") {
    for (const [key, fallback] of Object.entries(GROUPED_DEFAULTS)) view[key] ??= fallback;
  }
  const renamed = (problems: readonly ConfigProblem[], to: string): ConfigProblem[] =>
    shapesAsImageShape
      ? problems.map((p) =>
          p.path.startsWith("dataset.image_shape") ? { ...p, path: p.path.replace("dataset.image_shape", `dataset.${to}`) } : p,
        )
      : [...problems];
  const result = validateConfig({ dataset: view });
  const errors = result.ok ? [] : renamed(result.errors, "moving_image_shape");
  if (fixedOverride !== undefined) {
    const fixed = validateConfig({ dataset: { ...view, image_shape: fixedOverride } });
    if (!fixed.ok) {
      errors.push(...renamed(fixed.errors, "fixed_image_shape").filter((p) => p.path.startsWith("dataset.fixed_image_shape")));
    }
  }
  if (!result.ok || errors.length > 0) {
    throw new DeepRegLoaderError(
      "INVALID_CONFIG",
      `invalid dataset config: ${errors.map((p) => formatConfigProblem(p)).join("; ")}`,
      { details: { problems: errors } },
    );
  }
  for (const warning of renamed(result.warnings, "moving_image_shape")) onWarning(formatConfigProblem(warning));
  const dataset = result.config.dataset;
  if (fixedOverride !== undefined) dataset.fixed_image_shape = [...(fixedOverride as Shape3)];
  return dataset;
}

function sameShape(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((d, k) => d === b[k]);
}
