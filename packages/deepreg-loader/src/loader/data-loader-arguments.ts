// loader/data-loader-arguments.ts: checks of createDataLoader's arguments before anything is
// opened: the split and the option keys (the dataset config is config's
// `normaliseDatasetConfig`). May import core and loader/did-you-mean.
import { DeepRegLoaderError, SPLITS } from "@deepreg-loader/core";
import type { Split } from "@deepreg-loader/core";
import { didYouMean } from "./did-you-mean.js";
/** Option keys of each options object, for the unknown-key check. */
export const OPTION_KEYS = {
  createDataLoader: ["seed", "workers", "prefetch", "cacheBytes", "shard", "labelSampling", "shuffle", "cwd", "maxBytes", "onWarning", "workerUrl", "augmentation"],
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


function invalidArgument(message: string, details: Record<string, unknown>): DeepRegLoaderError {
  return new DeepRegLoaderError("INVALID_ARGUMENT", message, { details });
}

function show(value: unknown): string {
  if (typeof value === "function") return "a function";
  return JSON.stringify(value) ?? String(value);
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
