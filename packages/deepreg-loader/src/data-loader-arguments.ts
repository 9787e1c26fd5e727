// Checks of createDataLoader's arguments before anything is opened: the split, the dataset
// config (validated and normalised, whichever form it is written in) and the option keys.
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Split, WarningHandler } from "@deepreg-loader/core";
import { formatConfigProblem, validateConfig } from "@deepreg-loader/config";
import type { ConfigProblem, DatasetConfig, Shape3 } from "@deepreg-loader/config";
import { didYouMean } from "./did-you-mean.js";

export const SPLITS: readonly Split[] = ["train", "valid", "test"];

/** Option keys of each options object, for the unknown-key check. */
export const OPTION_KEYS = {
  createDataLoader: ["seed", "workers", "prefetch", "cacheBytes", "shard", "labelSampling", "shuffle", "cwd", "onWarning", "augmentation"],
  shard: ["index", "count", "evenDivisible"],
  samples: ["epoch", "start"],
  batches: ["batchSize", "training", "epochs", "shuffleBufferNumBatch", "startEpoch", "startBatch"],
} as const satisfies Record<string, readonly string[]>;

/** DeepReg's (and launchers') names for options, beyond plain snake_case (`batch_size`). */
const OPTION_ALIASES: Readonly<Record<string, string>> = {
  num_parallel_calls: "workers",
  num_workers: "workers",
  rank: "index",
  world_size: "count",
  size: "count",
};

/** Defaults of grouped sampling when a config object omits them (as the loader always did). */
const GROUPED_DEFAULTS = { intra_group_prob: 1, intra_group_option: "forward", sample_image_in_group: true } as const;

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

/** Throws `INVALID_ARGUMENT` unless `split` is `train`, `valid` or `test`. */
export function assertSplit(split: unknown): asserts split is Split {
  if (typeof split === "string" && (SPLITS as readonly string[]).includes(split)) return;
  const suggestion = typeof split === "string" ? didYouMean(split, SPLITS) : undefined;
  throw invalidArgument(
    `split must be "train", "valid" or "test", found ${show(split)}${suggestion === undefined ? "" : ` (did you mean ${JSON.stringify(suggestion)}?)`}`,
    { split, ...(suggestion === undefined ? {} : { suggestion }) },
  );
}

/**
 * Throws `INVALID_ARGUMENT` when `options` is not an object or has a key not in `known`, naming
 * every unknown key with the known key it probably meant. `name` is what the options belong to
 * (`createDataLoader()`, `batches()`, `shard`).
 */
export function assertKnownKeys(name: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw invalidArgument(`options of ${name} must be an object, found ${show(options)}`, { options });
  }
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  const suggestions: Record<string, string> = {};
  const listed = unknown.map((key) => {
    const suggestion = didYouMean(key, known, OPTION_ALIASES);
    if (suggestion === undefined) return JSON.stringify(key);
    suggestions[key] = suggestion;
    return `${JSON.stringify(key)} (did you mean ${JSON.stringify(suggestion)}?)`;
  });
  throw invalidArgument(
    `unknown option${unknown.length > 1 ? "s" : ""} of ${name}: ${listed.join(", ")}; known options: ${known.join(", ")}`,
    { unknown, suggestions },
  );
}

/**
 * The dataset config of `value`, validated and normalised with `validateConfig` from
 * @deepreg-loader/config, whichever form it is in: `config.dataset` from `readConfig` (dirs as
 * lists, `moving_image_shape` and `fixed_image_shape` for every type) or written by hand as in
 * a YAML file (`dir: "data/train"`, `image_shape` for unpaired and grouped data). When
 * `moving_image_shape` and `fixed_image_shape` are both given they are the shapes the loader
 * produces, for every type. Grouped sampling keys that are missing get the loader's defaults
 * (1, `forward`, true). Warnings go to `onWarning`.
 * Throws `INVALID_ARGUMENT` for the whole config (`{ dataset: ... }`) or a non-object,
 * `INVALID_CONFIG` listing every problem with its dot-path.
 */
export function normaliseDatasetConfig(value: unknown, onWarning: WarningHandler): DatasetConfig {
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
