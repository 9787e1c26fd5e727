// loader/types.ts: the public types of the data loader (options, stats, the loader itself).
// Types only; may import core, config (types) and loader/layout (types).
import type { Batch, DataFormat, DatasetType, LabelSampling, Sample, Split, Volume, WarningHandler } from "@deepreg-loader/core";
import type { Shape3 } from "@deepreg-loader/config";
import type { SplitLayout } from "./layout.js";

/** Which part of every epoch this process takes (distributed training). */
export interface ShardSpec {
  /** This rank, `0..count-1` (e.g. `Number(process.env.RANK)`). */
  index: number;
  /** Number of ranks (e.g. `Number(process.env.WORLD_SIZE)`). */
  count: number;
  /**
   * How ranks get equal step counts. Default (training: `train` for `samples()` and `plan()`,
   * the `training` flag for `batches()`): every rank gets `ceil(n / count)` samples per epoch,
   * the short ranks padded with samples from the start of that epoch's plan (PyTorch's
   * `DistributedSampler`), so every sample is seen every epoch. `true`: every rank gets
   * `floor(n / count)`, the last `n % count` of the epoch's plan dropped. Evaluation (and
   * `false`): exact, unequal shards, every sample once over all ranks.
   */
  evenDivisible?: boolean;
}

/** Options of {@link createDataLoader}. */
export interface DataLoaderOptions {
  /** Seed of every random choice (pair order, label choice, shuffle buffer). Default 0. */
  seed?: number;
  /**
   * Worker threads that read and preprocess volumes; 0 reads on the main thread. Default `"auto"`:
   * 0 when an epoch yields less than 256 MiB of float32 volumes or the machine has one core,
   * else one per core (at most 4), started in the background when the loader is created: reads
   * run on the main thread until a worker is ready, so the first sample never waits for them.
   * `loader.workers` says what was picked.
   */
  workers?: number | "auto";
  /** Samples prepared ahead of the consumer (bounded read-ahead). Default `2 * max(1, workers)`. */
  prefetch?: number;
  /** Byte budget of the LRU cache of preprocessed volumes (main thread). Default 0 (no cache). */
  cacheBytes?: number;
  /** This rank's part of each epoch. Default `{ index: 0, count: 1 }`. */
  shard?: ShardSpec;
  /** `sample` one label channel per pair or `all` channels. Default `sample` for train, `all` otherwise. */
  labelSampling?: LabelSampling;
  /**
   * Draw a new plan (pair order, pairs, label choices) every epoch. Default `true` for train;
   * `false` for valid/test: one fixed plan drawn from the seed, the same every epoch and run.
   */
  shuffle?: boolean;
  /** Directory that relative data dirs resolve against. Default `process.cwd()`. */
  cwd?: string;
  /**
   * Largest volume a read may return, in bytes of float32 output, for NIfTI and H5 alike
   * (the readers' `maxBytes`). Checked from each file's declared shape before anything is
   * read: a file declaring more is `TOO_LARGE` naming it. Default `DEFAULT_MAX_BYTES`
   * (2^31, 2 GiB) from `@deepreg-loader/core`.
   */
  maxBytes?: number;
  /** Called with non-fatal problems (an image and its label differ in shape). Default: ignored. */
  onWarning?: WarningHandler;
  /**
   * The worker script (`workers > 0`), as a `file:` URL or a path. Default: `worker.js` beside
   * this module (`new URL("./worker.js", import.meta.url)`). Set it when a bundler moved the
   * loader's code: to `node_modules/deepreg-loader/dist/worker.js`, or to the bundle of that
   * file made as a second entry point.
   */
  workerUrl?: URL | string;
  /**
   * DeepReg's `train.preprocess.data_augmentation` value (`{ name: "affine" }`, a list of such
   * mappings), or `false` for none. Applied to the `train` split only. Default: the whole
   * config's `train.preprocess.data_augmentation` when the whole config is passed, else none.
   * See docs/conventions.md#augmentation.
   */
  augmentation?: unknown;
}

/** Options of `loader.samples()`. */
export interface SamplesOptions {
  /** Epoch number (integer >= 0). Default 0. */
  epoch?: number;
  /** Skip the first `start` samples of this rank's stream of the epoch (resume). Default 0. */
  start?: number;
}

/** Options of `loader.batches()`. */
export interface BatchesOptions {
  /** Samples per batch (integer >= 1). */
  batchSize: number;
  /**
   * Training: shuffle buffer and drop the last partial batch of each epoch.
   * Default `split === "train"`.
   */
  training?: boolean;
  /** Run epochs `startEpoch .. epochs - 1`; undefined runs forever. */
  epochs?: number;
  /** Shuffle buffer of `batchSize * shuffleBufferNumBatch` samples (training only). Default 1. */
  shuffleBufferNumBatch?: number;
  /** First epoch (resume). Default 0. */
  startEpoch?: number;
  /** Skip the first `startBatch` batches of `startEpoch` (resume). Default 0. */
  startBatch?: number;
}

/** Counters of the loader since it was created. */
export interface LoaderStats {
  /** Volumes read from disk and preprocessed (main thread or workers). */
  decodes: number;
  /** Bytes of those volumes as float32, before resizing. */
  decodedBytes: number;
  /** Cache lookups that found the preprocessed volume (0 without cache). */
  cacheHits: number;
  /** Cache lookups that did not (0 without cache). */
  cacheMisses: number;
  /** Bytes held by the cache now. */
  cacheBytes: number;
  /** Volumes held by the cache now. */
  cacheEntries: number;
  /** Volumes evicted to stay under `cacheBytes`. */
  cacheEvictions: number;
  /** Worker threads of the iterations running now (0 when no iteration runs). */
  activeWorkers: number;
  /**
   * Worker threads kept, idle, for the next iteration: an iteration that ran to its end hands its
   * workers to the next one (no restart); a `break`, an error or `close()` terminates them.
   * Idle workers never keep the process alive.
   */
  idleWorkers: number;
  /** `samples()` / `batches()` iterations running now. */
  activeStreams: number;
  /** Arrays taken back by `recycle()` (and by batches, from the samples they copied). */
  recycledArrays: number;
  /** Volumes, copies and batches written into a recycled array instead of fresh memory. */
  reusedArrays: number;
}

/**
 * A split of a DeepReg dataset, streamed as samples or batches. `createDataLoader` returns a
 * `LabeledDataLoader | UnlabeledDataLoader`: narrow on `loader.labeled` and every sample and
 * batch has its labels typed as present (or absent); as a plain `DataLoader` labels are optional.
 */
export interface DataLoader<S extends Sample = Sample, B extends Batch = Batch> extends AsyncDisposable {
  /** The dataset type (`config.dataset.type`): `paired`, `unpaired` or `grouped`. */
  readonly type: DatasetType;
  /** The split this loader reads: `train`, `valid` or `test`. */
  readonly split: Split;
  /** The split's file format: `nifti` or `h5`. */
  readonly format: DataFormat;
  /** Whether samples carry labels (narrows the loader: `if (loader.labeled) sample.movingLabel`). */
  readonly labeled: boolean;
  /** Image pairs in one epoch of the whole split, as DeepReg counts them (before label expansion and sharding). */
  readonly numSamples: number;
  /** Images of the split (paired: pairs of files; unpaired, grouped: images). */
  readonly numImages: number;
  /** Groups (grouped data), else undefined. */
  readonly numGroups: number | undefined;
  /** Shape every moving image and label is resized to (`moving_image_shape`). */
  readonly movingImageShape: Shape3;
  /** Shape every fixed image and label is resized to (`fixed_image_shape`). */
  readonly fixedImageShape: Shape3;
  /** Length of `indices` of a sample: paired 2, unpaired 3, grouped 5. */
  readonly numIndices: number;
  /** Worker threads the loader reads with (`workers: "auto"` resolved; 0: the main thread). */
  readonly workers: number;
  /** How labels are chosen per pair: the `labelSampling` option, else `sample` for train and `all` otherwise. */
  readonly labelSampling: LabelSampling;
  /** The seed of every random choice (the `seed` option; default 0). */
  readonly seed: number;
  /** The opened files of the split (ids, groups, loaders). */
  readonly layout: SplitLayout;
  /** Index vectors of this rank's stream of `samples({ epoch })`, in stream order (no decoding). */
  plan(epoch?: number): number[][];
  /** The samples of one epoch; each sample owns its arrays (writing into them changes nothing else). */
  samples(options?: SamplesOptions): AsyncGenerator<S, void, undefined>;
  /**
   * Batches of epochs `startEpoch .. epochs - 1` (`epochs` is the end epoch, exclusive;
   * undefined runs forever), stacked on a leading batch axis; batches never straddle epochs.
   * Training (default for `train`): samples pass a shuffle buffer of
   * `batchSize * shuffleBufferNumBatch` (seeded per epoch) and each epoch's last partial batch
   * is dropped; otherwise batches follow the plan and keep the partial batch. Each epoch has its
   * own plan, so resume with `startEpoch` rather than restarting at epoch 0. Breaking out of the
   * loop terminates the iteration's workers.
   */
  batches(options: BatchesOptions): AsyncGenerator<B, void, undefined>;
  /**
   * Hands a sample's or batch's arrays back to the loader once the caller is done with them
   * (opt-in): later volumes, copies and batches of the same size are written into them instead
   * of fresh memory, which saves paging in new memory (a large share of a cold epoch on some
   * machines; see docs/decisions.md). After the call the arrays belong to the loader again: do
   * not read or keep them (nor tensors that share their memory). Only arrays this loader handed
   * out, and not recycled since, are taken; anything else (another loader's or your own
   * arrays, a second `recycle` of the same sample, augmented volumes, a closed loader) is
   * ignored, never an error. Returns how many arrays it took back (0 to 4). Holds at most 16
   * free arrays of each size; `close()` drops them.
   *
   * @example
   * ```ts
   * for await (const sample of loader.samples({ epoch })) {
   *   trainStep(sample); // copies the data into tensors
   *   loader.recycle(sample);
   * }
   * ```
   */
  recycle(sampleOrBatch: S | B): number;
  /** The loader's counters since it was created (decodes, cache, workers, streams, recycling). */
  stats(): LoaderStats;
  /**
   * Terminates every worker (running iterations fail with `CLOSED` at their next step), closes
   * files, empties the cache. Idempotent; every call resolves once all of it is done.
   */
  close(): Promise<void>;
}


/** A sample of a labeled split: both labels present. */
export type LabeledSample = Sample & {
  /** The moving label, always present. */
  movingLabel: Volume;
  /** The fixed label, always present. */
  fixedLabel: Volume;
};
/** A sample of an unlabeled split: no labels. */
export type UnlabeledSample = Omit<Sample, "movingLabel" | "fixedLabel"> & {
  /** Never present. */
  movingLabel?: undefined;
  /** Never present. */
  fixedLabel?: undefined;
};
/** A batch of a labeled split: both labels present. */
export type LabeledBatch = Batch & {
  /** The moving labels stacked, always present. */
  movingLabel: Volume;
  /** The fixed labels stacked, always present. */
  fixedLabel: Volume;
};
/** A batch of an unlabeled split: no labels. */
export type UnlabeledBatch = Omit<Batch, "movingLabel" | "fixedLabel"> & {
  /** Never present. */
  movingLabel?: undefined;
  /** Never present. */
  fixedLabel?: undefined;
};

/** The loader of a labeled split: its samples and batches carry both labels. */
export interface LabeledDataLoader extends DataLoader<LabeledSample, LabeledBatch> {
  /** `true`: the split has labels. */
  readonly labeled: true;
}
/** The loader of an unlabeled split. */
export interface UnlabeledDataLoader extends DataLoader<UnlabeledSample, UnlabeledBatch> {
  /** `false`: the split has no labels. */
  readonly labeled: false;
}
