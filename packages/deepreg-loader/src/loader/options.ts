// loader/options.ts: createDataLoader's options resolved to settings (defaults, checks) and how
// a plan is sharded. May import core, augment (types) and loader/ (types, arguments).
import { DeepRegLoaderError, defaultLabelSampling } from "@deepreg-loader/core";
import type { LabelSampling, Split, WarningHandler } from "@deepreg-loader/core";
import { resolveWorkerUrl } from "../pipeline/worker-url.js";
import type { AugmentationTransform } from "@deepreg-loader/augment";
import { assertKnownKeys, OPTION_KEYS } from "./data-loader-arguments.js";
import type { DataLoaderOptions } from "./types.js";

/** The options of a loader, defaulted and checked. */
export interface Settings {
  seed: number;
  workers: number;
  prefetch: number;
  cacheBytes: number;
  shard: { index: number; count: number };
  /** `shard.evenDivisible` as given (undefined: pad when training, exact otherwise). */
  evenDivisible: boolean | undefined;
  labelSampling: LabelSampling;
  redraw: boolean;
  onWarning: WarningHandler;
  /** The worker script of the pool (`workers > 0`). */
  workerUrl: URL;
  /** Transforms applied to every sample (train only; empty: none). Set by createDataLoader from the resolved value. */
  augmentation: AugmentationTransform[];
}

/** How an epoch's plan is cut into shards: padded to equal parts, cut to equal parts, or exact. */
export type ShardMode = "pad" | "drop" | "exact";

/** `evenDivisible: true` drops, `false` is exact; by default training pads and evaluation is exact. */
export function shardMode(evenDivisible: boolean | undefined, training: boolean): ShardMode {
  if (evenDivisible === true) return "drop";
  if (evenDivisible === false) return "exact";
  return training ? "pad" : "exact";
}

export function invalid(message: string, details?: Record<string, unknown>): DeepRegLoaderError {
  return new DeepRegLoaderError("INVALID_ARGUMENT", message, details === undefined ? {} : { details });
}

export function assertInteger(name: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw invalid(`${name} must be an integer >= ${min}, found ${JSON.stringify(value) ?? String(value)}`, { [name]: value });
  }
}

/** The settings of `options` for `split`; `INVALID_ARGUMENT` for unknown keys and bad values. */
export function resolveOptions(split: Split, options: DataLoaderOptions): Settings {
  assertKnownKeys("createDataLoader()", options, OPTION_KEYS.createDataLoader);
  const seed = options.seed ?? 0;
  if (typeof seed !== "number" || !Number.isFinite(seed)) throw invalid(`seed must be a finite number, found ${String(seed)}`);
  const workers = options.workers ?? 0;
  assertInteger("workers", workers, 0);
  const prefetch = options.prefetch ?? 2 * Math.max(1, workers);
  assertInteger("prefetch", prefetch, 1);
  const cacheBytes = options.cacheBytes ?? 0;
  if (typeof cacheBytes !== "number" || !(cacheBytes >= 0)) {
    throw invalid(`cacheBytes must be a number >= 0, found ${String(cacheBytes)}`);
  }
  const shard = options.shard ?? { index: 0, count: 1 };
  assertKnownKeys("shard", shard, OPTION_KEYS.shard);
  assertInteger("shard.count", shard.count, 1);
  assertInteger("shard.index", shard.index, 0);
  if (shard.index >= shard.count) throw invalid(`shard.index must be in 0..${shard.count - 1}, found ${shard.index}`);
  if (shard.evenDivisible !== undefined && typeof shard.evenDivisible !== "boolean") {
    throw invalid(`shard.evenDivisible must be true or false, found ${JSON.stringify(shard.evenDivisible)}`);
  }
  const labelSampling = options.labelSampling ?? defaultLabelSampling(split);
  if (labelSampling !== "sample" && labelSampling !== "all") {
    throw invalid(`labelSampling must be "sample" or "all", found ${JSON.stringify(labelSampling)}`);
  }
  return {
    seed,
    workers,
    prefetch,
    cacheBytes,
    shard: { index: shard.index, count: shard.count },
    evenDivisible: shard.evenDivisible,
    labelSampling,
    redraw: options.shuffle ?? split === "train",
    onWarning: options.onWarning ?? (() => undefined),
    workerUrl: resolveWorkerUrl(options.workerUrl),
    augmentation: [],
  };
}
