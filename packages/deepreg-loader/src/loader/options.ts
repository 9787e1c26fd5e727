// loader/options.ts: createDataLoader's options resolved to settings (defaults, checks) and how
// a plan is sharded. May import core, augment (types) and loader/ (types, arguments).
import { availableParallelism } from "node:os";
import { DeepRegLoaderError, defaultLabelSampling } from "@deepreg-loader/core";
import type { LabelSampling, Split, WarningHandler } from "@deepreg-loader/core";
import { resolveWorkerUrl } from "../pipeline/worker-url.js";
import type { AugmentationTransform } from "@deepreg-loader/augment";
import { assertKnownKeys, OPTION_KEYS } from "./data-loader-arguments.js";
import type { DataLoaderOptions } from "./types.js";

/** The options of a loader, defaulted and checked. */
export interface Settings {
  seed: number;
  /** A count, or `auto` until {@link settleWorkers} picks one from the split's size. */
  workers: number | "auto";
  /** Undefined until the workers are settled: `2 * max(1, workers)` by default. */
  prefetch: number | undefined;
  cacheBytes: number;
  shard: { index: number; count: number };
  /** `shard.evenDivisible` as given (undefined: pad when training, exact otherwise). */
  evenDivisible: boolean | undefined;
  labelSampling: LabelSampling;
  redraw: boolean;
  onWarning: WarningHandler;
  /** The worker script of the pool (`workers > 0`). */
  workerUrl: URL;
  /** The readers' size cap as given (undefined: their default). */
  maxBytes: number | undefined;
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

function assertWorkers(value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw invalid(`workers must be an integer >= 0 or "auto", found ${JSON.stringify(value) ?? String(value)}`, { workers: value });
  }
}

/**
 * Bytes of float32 output per epoch from which `workers: "auto"` starts workers. Below it an
 * epoch takes well under a second on the main thread (async inflate on the libuv pool already
 * keeps a second core partly busy), and starting two workers (~100-150 ms each, mostly module
 * and h5wasm loading) costs more CPU than they save: DeepReg's test split (~70 MB per epoch)
 * is 1.3x slower at 2 workers than at 0 on 2 cores (apps/benchmark).
 */
export const AUTO_WORKERS_MIN_EPOCH_BYTES = 256 * 2 ** 20;
/** The most workers `auto` starts (measured up to 2 cores; more threads contend for memory bandwidth). */
export const AUTO_WORKERS_MAX = 4;

/**
 * The worker count of `workers: "auto"`: 0 on one core or when an epoch produces less than
 * {@link AUTO_WORKERS_MIN_EPOCH_BYTES} of float32 volumes, else one per core up to
 * {@link AUTO_WORKERS_MAX}.
 */
export function autoWorkers(epochBytes: number, cores: number = availableParallelism()): number {
  if (cores < 2 || epochBytes < AUTO_WORKERS_MIN_EPOCH_BYTES) return 0;
  return Math.min(cores, AUTO_WORKERS_MAX);
}

/** `settings` with `workers` a count (`auto` picked from `epochBytes`) and `prefetch` defaulted. */
export function settleWorkers(settings: Settings, epochBytes: number): Settings & { workers: number; prefetch: number; autoWorkers: boolean } {
  const auto = settings.workers === "auto";
  const workers = settings.workers === "auto" ? autoWorkers(epochBytes) : settings.workers;
  return { ...settings, workers, prefetch: settings.prefetch ?? 2 * Math.max(1, workers), autoWorkers: auto };
}

/** The settings of `options` for `split`; `INVALID_ARGUMENT` for unknown keys and bad values. */
export function resolveOptions(split: Split, options: DataLoaderOptions): Settings {
  assertKnownKeys("createDataLoader()", options, OPTION_KEYS.createDataLoader);
  const seed = options.seed ?? 0;
  if (typeof seed !== "number" || !Number.isFinite(seed)) throw invalid(`seed must be a finite number, found ${String(seed)}`);
  const workers = options.workers ?? "auto";
  if (workers !== "auto") assertWorkers(workers);
  const prefetch = options.prefetch ?? (workers === "auto" ? undefined : 2 * Math.max(1, workers));
  if (prefetch !== undefined) assertInteger("prefetch", prefetch, 1);
  const cacheBytes = options.cacheBytes ?? 0;
  if (typeof cacheBytes !== "number" || !(cacheBytes >= 0)) {
    throw invalid(`cacheBytes must be a number >= 0, found ${String(cacheBytes)}`);
  }
  const maxBytes = options.maxBytes;
  if (maxBytes !== undefined && (typeof maxBytes !== "number" || !(maxBytes > 0))) {
    throw invalid(`maxBytes must be a number > 0, found ${String(maxBytes)}`);
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
    maxBytes,
    augmentation: [],
  };
}
