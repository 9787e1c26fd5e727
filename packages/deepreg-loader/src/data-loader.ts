import { DeepRegLoaderError, createVolume, isDeepRegLoaderError } from "@deepreg-loader/core";
import type {
  Batch,
  DataFormat,
  DatasetType,
  LabelSampling,
  Sample,
  Split,
  Volume,
  WarningHandler,
} from "@deepreg-loader/core";
import type { DatasetConfig, Shape3 } from "@deepreg-loader/config";
import {
  expandLabels,
  groupedPlan,
  groupedPlanLength,
  pairedPlan,
  randomFor,
  shardPlan,
  unpairedPlan,
} from "@deepreg-loader/samplers";
import type { GroupedSampling } from "@deepreg-loader/samplers";
import type { AugmentationTransform } from "@deepreg-loader/augment";
import { stackVolumes, takeChannel } from "@deepreg-loader/volume-ops";
import { AugmentStage, resolveAugmentation, splitConfigArgument, withBatchAugmentation } from "./augment-stage.js";
import { assertKnownKeys, assertSplit, normaliseDatasetConfig, OPTION_KEYS } from "./data-loader-arguments.js";
import type { FormatFileLoader } from "./file-loaders.js";
import { openSplitLayout } from "./layout.js";
import type { SplitLayout } from "./layout.js";
import { numIndicesOf, pairOf } from "./pipeline/epoch-plan.js";
import { LruCache } from "./pipeline/lru-cache.js";
import { orderedMap } from "./pipeline/ordered-map.js";
import { describeSource, prepareVolume, withSource } from "./pipeline/prepare-volume.js";
import type { PreparedVolume, VolumeKind, VolumeTask } from "./pipeline/prepare-volume.js";
import { shuffleBufferOrder } from "./pipeline/shuffle-buffer.js";
import { WorkerPool } from "./pipeline/worker-pool.js";

/** Which part of every epoch this process takes (distributed training). */
export interface ShardSpec {
  /** This rank, `0..count-1` (e.g. `Number(process.env.RANK)`). */
  index: number;
  /** Number of ranks (e.g. `Number(process.env.WORLD_SIZE)`). */
  count: number;
  /**
   * Every rank gets `floor(n / count)` samples (the last `n % count` of the epoch's shuffled
   * plan are dropped), so ranks run equal step counts. Default for `samples()` and `plan()`:
   * `true` for `train`, `false` otherwise (every sample is seen exactly once over all ranks);
   * for `batches()`: its `training` flag (training ranks must run equal step counts).
   */
  evenDivisible?: boolean;
}

/** Options of {@link createDataLoader}. */
export interface DataLoaderOptions {
  /** Seed of every random choice (pair order, label choice, shuffle buffer). Default 0. */
  seed?: number;
  /** Worker threads that read and preprocess volumes; 0 reads on the main thread. Default 0. */
  workers?: number;
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
  /** Called with non-fatal problems (an image and its label differ in shape). Default: ignored. */
  onWarning?: WarningHandler;
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
}

/** A split of a DeepReg dataset, streamed as samples or batches. See the package README. */
export interface DataLoader extends AsyncDisposable {
  readonly type: DatasetType;
  readonly split: Split;
  readonly format: DataFormat;
  readonly labeled: boolean;
  /** Image pairs in one epoch of the whole split, as DeepReg counts them (before label expansion and sharding). */
  readonly numSamples: number;
  /** Images of the split (paired: pairs of files; unpaired, grouped: images). */
  readonly numImages: number;
  /** Groups (grouped data), else undefined. */
  readonly numGroups: number | undefined;
  readonly movingImageShape: Shape3;
  readonly fixedImageShape: Shape3;
  /** Length of `indices` of a sample: paired 2, unpaired 3, grouped 5. */
  readonly numIndices: number;
  readonly labelSampling: LabelSampling;
  readonly seed: number;
  /** The opened files of the split (ids, groups, loaders). */
  readonly layout: SplitLayout;
  /** Index vectors of this rank's stream of `samples({ epoch })`, in stream order (no decoding). */
  plan(epoch?: number): number[][];
  /** The samples of one epoch; each sample owns its arrays (writing into them changes nothing else). */
  samples(options?: SamplesOptions): AsyncGenerator<Sample, void, undefined>;
  batches(options: BatchesOptions): AsyncGenerator<Batch, void, undefined>;
  stats(): LoaderStats;
  /**
   * Terminates every worker (running iterations fail with `CLOSED` at their next step), closes
   * files, empties the cache. Idempotent; every call resolves once all of it is done.
   */
  close(): Promise<void>;
}

/** The worker script, built beside this module (`dist/worker.js`). */
const WORKER_URL = new URL("./worker.js", import.meta.url);

/** Concurrent header reads while opening a loader. */
const HEADER_CONCURRENCY = 8;

/**
 * Opens `split` of a dataset config: validates the arguments, lists and matches the files, reads
 * every image and label header (no voxels) and returns a loader, or null when the split has no
 * data dir. `config` is the whole config from `readConfig` (its `dataset`; its
 * `train.preprocess.data_augmentation` unless `options.augmentation` is given), `config.dataset`,
 * or a dataset object written as in a YAML file (validated and normalised here, see
 * `normaliseDatasetConfig`). The train split applies the augmentation (augment-stage.ts).
 * Throws `INVALID_ARGUMENT` for a split other than train/valid/test, bad or unknown options;
 * `INVALID_CONFIG` for an invalid dataset config or augmentation; the
 * layout errors of `openSplitLayout` (`NOT_FOUND`, `EMPTY`, `IDS_MISMATCH`, `BAD_KEY`); `SHAPE`
 * for an image that is not 3D or a label that is not 3D/4D; `GROUP_SIZE` for groups too small
 * for the sampling (naming each group's folder or H5 keys).
 */
export async function createDataLoader(
  config: DatasetConfig | Readonly<Record<string, unknown>>,
  split: Split,
  options: DataLoaderOptions = {},
): Promise<DataLoader | null> {
  assertSplit(split);
  const settings = resolveOptions(split, options);
  const argument = splitConfigArgument(config, options);
  const dataset = normaliseDatasetConfig(argument.dataset, settings.onWarning);
  settings.augmentation = resolveAugmentation(argument.augmentation, split, dataset);
  const layout = await openSplitLayout(dataset, split, { cwd: options.cwd });
  if (layout === null) return null;
  try {
    const { movingCounts, fixedCounts } = await readHeaders(layout);
    try {
      return new DeepRegDataLoader(dataset, split, layout, settings, movingCounts, fixedCounts);
    } catch (error) {
      throw withGroupNames(error, layout);
    }
  } catch (error) {
    await layout.close();
    throw error;
  }
}

interface Settings {
  seed: number;
  workers: number;
  prefetch: number;
  cacheBytes: number;
  shard: Required<ShardSpec>;
  /** `shard.evenDivisible` as given (batches() defaults it to `training`). */
  evenDivisibleOption: boolean | undefined;
  labelSampling: LabelSampling;
  redraw: boolean;
  onWarning: WarningHandler;
  /** Transforms applied to every sample (train only; empty: none). */
  augmentation: AugmentationTransform[];
}

function invalid(message: string, details?: Record<string, unknown>): DeepRegLoaderError {
  return new DeepRegLoaderError("INVALID_ARGUMENT", message, details === undefined ? {} : { details });
}

function assertInteger(name: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw invalid(`${name} must be an integer >= ${min}, found ${JSON.stringify(value) ?? String(value)}`, { [name]: value });
  }
}

function resolveOptions(split: Split, options: DataLoaderOptions): Settings {
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
  const labelSampling = options.labelSampling ?? (split === "train" ? "sample" : "all");
  if (labelSampling !== "sample" && labelSampling !== "all") {
    throw invalid(`labelSampling must be "sample" or "all", found ${JSON.stringify(labelSampling)}`);
  }
  return {
    seed,
    workers,
    prefetch,
    cacheBytes,
    shard: { index: shard.index, count: shard.count, evenDivisible: shard.evenDivisible ?? split === "train" },
    evenDivisibleOption: shard.evenDivisible,
    labelSampling,
    redraw: options.shuffle ?? split === "train",
    onWarning: options.onWarning ?? (() => undefined),
    augmentation: [],
  };
}

/** Label channel counts of a labeled split (moving, fixed; the same array for unpaired and grouped data). */
interface HeaderCounts {
  movingCounts: number[] | null;
  fixedCounts: number[] | null;
}

/**
 * Reads every image and label header of the split (each file once, `HEADER_CONCURRENCY` at a
 * time): `SHAPE` for an image that is not 3D or a label that is not 3D/4D (with at least one
 * channel), naming the file. Returns the label channel counts: 3D -> 1, 4D -> last dim.
 */
async function readHeaders(layout: SplitLayout): Promise<HeaderCounts> {
  const { movingImages, fixedImages, movingLabels, fixedLabels } = layout;
  const roles: { loader: FormatFileLoader; kind: VolumeKind }[] = [];
  for (const loader of new Set([movingImages, fixedImages])) roles.push({ loader, kind: "image" });
  for (const loader of new Set([movingLabels, fixedLabels])) if (loader !== null) roles.push({ loader, kind: "label" });
  const tasks = roles.flatMap((role, r) => role.loader.ids.map((_, i) => ({ r, i })));
  const counts = roles.map(() => [] as number[]);
  for await (const { r, count } of orderedMap(
    tasks,
    async ({ r, i }) => {
      const { loader, kind } = roles[r] as (typeof roles)[number];
      return { r, count: checkHeader(loader, kind, i, await loader.shape(i)) };
    },
    { concurrency: HEADER_CONCURRENCY },
  )) {
    (counts[r] as number[]).push(count);
  }
  const countsOf = (loader: FormatFileLoader | null): number[] | null =>
    loader === null ? null : (counts[roles.findIndex((role) => role.kind === "label" && role.loader === loader)] as number[]);
  return { movingCounts: countsOf(movingLabels), fixedCounts: countsOf(fixedLabels) };
}

/** The channel count of a header's shape (images: 1), or `SHAPE` naming the file. */
function checkHeader(loader: FormatFileLoader, kind: VolumeKind, index: number, shape: readonly number[]): number {
  if (kind === "image") {
    if (shape.length === 3) return 1;
    throw new DeepRegLoaderError(
      "SHAPE",
      `${describeSource(loader.source(index))}: an image must be 3D [dim1, dim2, dim3], found shape [${shape.join(", ")}]`,
      { file: loader.source(index).path, details: { key: loader.source(index).key, shape: [...shape] } },
    );
  }
  if (shape.length === 3) return 1;
  if (shape.length === 4 && (shape[3] as number) >= 1) return shape[3] as number;
  throw new DeepRegLoaderError(
    "SHAPE",
    `${describeSource(loader.source(index))}: a label must be 3D [dim1, dim2, dim3] or 4D [dim1, dim2, dim3, num_labels], found shape [${shape.join(", ")}]`,
    { file: loader.source(index).path, details: { key: loader.source(index).key, shape: [...shape] } },
  );
}

/**
 * A `GROUP_SIZE` error of the samplers (groups by 0-based position) rewritten to name each
 * group's folder (NIfTI) or H5 keys, keeping the position; other errors unchanged.
 */
function withGroupNames(error: unknown, layout: SplitLayout): unknown {
  if (!isDeepRegLoaderError(error, "GROUP_SIZE") || layout.groups === null || layout.groupNames === null) return error;
  const names = layout.groupNames;
  const sizes = layout.groups.map((g) => g.length);
  const groups = error.details?.groups;
  const head = error.message.split(": ")[0] as string;
  let listed: string;
  if (Array.isArray(groups)) {
    const small = groups as number[];
    const parts = small.slice(0, 10).map((g) => `group ${g} (${names[g]}) has ${sizes[g]} image${sizes[g] === 1 ? "" : "s"}`);
    if (small.length > 10) parts.push(`and ${small.length - 10} more`);
    listed = `${head}: ${parts.join(", ")}`;
  } else {
    const shown = names.slice(0, 10).join(", ");
    listed = `${error.message}${names.length > 0 ? ` (${shown}${names.length > 10 ? ", ..." : ""})` : ` in ${layout.dirs.join(", ")}`}`;
  }
  const g0 = Array.isArray(groups) ? (groups[0] as number) : undefined;
  const first =
    g0 === undefined ? undefined : layout.format === "nifti" ? names[g0] : layout.movingImages.source(layout.groups[g0]?.[0] ?? 0).path;
  return new DeepRegLoaderError("GROUP_SIZE", listed, {
    ...(first === undefined ? {} : { file: first }),
    cause: error,
    details: { ...error.details, groupNames: Array.isArray(groups) ? (groups as number[]).map((g) => names[g]) : names },
  });
}

/** One sample-to-be of a stream: its epoch, index vector, and whether it ends its epoch's part. */
interface StreamEntry {
  epoch: number;
  indices: number[];
  last: boolean;
  /** Position in the epoch's plan (this rank's), which seeds the sample's augmentation. */
  position: number;
}

/** A preprocessed volume and whether anything else holds it (the cache, another pair). */
interface HeldVolume {
  volume: PreparedVolume;
  shared: boolean;
}

/** The volumes of one pair, preprocessed. */
interface PairVolumes {
  movingImage: HeldVolume;
  fixedImage: HeldVolume;
  movingLabel: HeldVolume | undefined;
  fixedLabel: HeldVolume | undefined;
}

/** A read of one volume: `shared` turns true when the cache or a second request also gets it. */
interface VolumeRead {
  promise: Promise<PreparedVolume>;
  shared: boolean;
}

type Pool = WorkerPool<VolumeTask, PreparedVolume>;

/** What one running iteration holds: its workers, reads in flight, pairs shared by its samples. */
interface StreamContext {
  pool: Pool | null;
  /** Set by `loader.close()`: the iteration fails with `CLOSED` at its next step. */
  closed: boolean;
  inflight: Map<string, VolumeRead>;
  /** Pairs loaded or loading, until their last sample of the stream took them. */
  pairs: Map<string, { promise: Promise<PairVolumes>; taken: number; uses: number }>;
  /** Samples of the stream (still to take) per pair. */
  uses: Map<string, number>;
}

class DeepRegDataLoader implements DataLoader {
  readonly type: DatasetType;
  readonly split: Split;
  readonly format: DataFormat;
  readonly labeled: boolean;
  readonly numSamples: number;
  readonly numImages: number;
  readonly numGroups: number | undefined;
  readonly movingImageShape: Shape3;
  readonly fixedImageShape: Shape3;
  readonly numIndices: number;
  readonly labelSampling: LabelSampling;
  readonly seed: number;
  readonly layout: SplitLayout;

  readonly #settings: Settings;
  readonly #sampling: GroupedSampling;
  readonly #groupSizes: number[];
  readonly #movingCounts: number[] | null;
  readonly #fixedCounts: number[] | null;
  readonly #cache: LruCache<PreparedVolume> | null;
  /** Training augmentation, or null when none applies. */
  readonly #augment: AugmentStage | null;
  readonly #contexts = new Set<StreamContext>();
  /** Workers of an iteration that ran to its end, for the next one; terminated by `close()`. */
  #idlePool: Pool | null = null;
  readonly #warned = new Set<string>();
  #decodes = 0;
  #decodedBytes = 0;
  #hits = 0;
  #misses = 0;
  #closed = false;
  /** The one close in progress or done: every `close()` call resolves when it has finished. */
  #closing: Promise<void> | null = null;

  constructor(
    config: DatasetConfig,
    split: Split,
    layout: SplitLayout,
    settings: Settings,
    movingCounts: number[] | null,
    fixedCounts: number[] | null,
  ) {
    this.type = config.type;
    this.split = split;
    this.format = layout.format;
    this.labeled = layout.labeled;
    this.layout = layout;
    this.movingImageShape = [...config.moving_image_shape] as Shape3;
    this.fixedImageShape = [...config.fixed_image_shape] as Shape3;
    this.numIndices = numIndicesOf(config.type);
    this.labelSampling = settings.labelSampling;
    this.seed = settings.seed;
    this.#settings = settings;
    this.#movingCounts = movingCounts;
    this.#fixedCounts = fixedCounts;
    this.#cache = settings.cacheBytes > 0 ? new LruCache(settings.cacheBytes) : null;
    this.#augment = settings.augmentation.length === 0 ? null : new AugmentStage(settings.augmentation, settings.seed, settings.shard);
    this.#sampling = {
      intraGroupProb: config.intra_group_prob ?? 1,
      intraGroupOption: config.intra_group_option ?? "forward",
      sampleImageInGroup: config.sample_image_in_group ?? true,
    };
    this.#groupSizes = (layout.groups ?? []).map((g) => g.length);
    this.numImages = layout.movingImages.ids.length;
    this.numGroups = layout.groups === null ? undefined : layout.groups.length;
    this.numSamples =
      config.type === "paired"
        ? this.numImages
        : config.type === "unpaired"
          ? Math.floor(this.numImages / 2)
          : groupedPlanLength(this.#groupSizes, this.#sampling);
  }

  plan(epoch = 0): number[][] {
    assertInteger("epoch", epoch, 0);
    return this.#plan(epoch, this.#settings.shard.evenDivisible);
  }

  /** This rank's plan of `epoch`; `evenDivisible` drops the last `n % count` samples of the epoch. */
  #plan(epoch: number, evenDivisible: boolean): number[][] {
    const { seed, redraw, labelSampling, shard } = this.#settings;
    const options = { seed, epoch: redraw ? epoch : 0 };
    const pairs =
      this.type === "paired"
        ? pairedPlan(this.numImages, options)
        : this.type === "unpaired"
          ? unpairedPlan(this.numImages, options)
          : groupedPlan(this.#groupSizes, { ...options, ...this.#sampling });
    const counts = this.#movingCounts === null ? null : pairs.map((p) => this.#labelCount(p));
    const expanded = expandLabels(pairs, counts, labelSampling, options);
    return shard.count === 1 ? expanded : shardPlan(expanded, { index: shard.index, count: shard.count, evenDivisible });
  }

  async *samples(options: SamplesOptions = {}): AsyncGenerator<Sample, void, undefined> {
    assertKnownKeys("samples()", options, OPTION_KEYS.samples);
    const epoch = options.epoch ?? 0;
    const start = options.start ?? 0;
    assertInteger("epoch", epoch, 0);
    assertInteger("start", start, 0);
    this.#assertOpen();
    const plan = this.plan(epoch);
    if (start > plan.length) throw invalid(`start ${start} is past the end of epoch ${epoch} (${plan.length} samples)`);
    const order = Array.from({ length: plan.length - start }, (_, i) => start + i);
    const ctx = this.#openContext();
    let finished = false;
    try {
      for await (const { sample } of this.#run(this.#segment(epoch, plan, order, ctx), ctx, true)) {
        if (ctx.closed) throw this.#closedDuringIteration();
        yield sample;
      }
      finished = true;
    } finally {
      await this.#closeContext(ctx, finished);
    }
  }

  async *batches(options: BatchesOptions): AsyncGenerator<Batch, void, undefined> {
    if (options === undefined) throw invalid("batches() needs options with batchSize, e.g. batches({ batchSize: 4 })");
    assertKnownKeys("batches()", options, OPTION_KEYS.batches);
    const { batchSize } = options;
    const training = options.training ?? this.split === "train";
    const bufferBatches = options.shuffleBufferNumBatch ?? 1;
    const startEpoch = options.startEpoch ?? 0;
    const startBatch = options.startBatch ?? 0;
    const { epochs } = options;
    assertInteger("batchSize", batchSize, 1);
    assertInteger("shuffleBufferNumBatch", bufferBatches, 1);
    assertInteger("startEpoch", startEpoch, 0);
    assertInteger("startBatch", startBatch, 0);
    if (epochs !== undefined) assertInteger("epochs", epochs, 0);
    this.#assertOpen();
    // Sharded training needs equal step counts on every rank; evaluation needs every sample once.
    const evenDivisible = this.#settings.evenDivisibleOption ?? training;
    const ctx = this.#openContext();
    const self = this;
    function* entries(): Generator<StreamEntry, void, undefined> {
      for (let epoch = startEpoch; epochs === undefined || epoch < epochs; epoch++) {
        const plan = self.#plan(epoch, evenDivisible);
        const n = plan.length;
        const numBatches = training ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
        if (numBatches === 0 && epochs === undefined) {
          throw invalid(
            `an epoch of ${n} samples makes no batch of ${batchSize}${training ? " (training drops the partial batch)" : ""}: endless batches() would never yield`,
          );
        }
        const skip = epoch === startEpoch ? startBatch * batchSize : 0;
        if (epoch === startEpoch && startBatch > numBatches) {
          throw invalid(`startBatch ${startBatch} is past the end of epoch ${epoch} (${numBatches} batches)`);
        }
        const full = training
          ? shuffleBufferOrder(n, batchSize * bufferBatches, randomFor(self.seed, epoch, "shuffle-buffer"))
          : Array.from({ length: n }, (_, i) => i);
        const order = full.slice(skip, training ? numBatches * batchSize : n);
        yield* self.#segment(epoch, plan, order, ctx);
      }
    }
    let finished = false;
    try {
      let pending: Sample[] = [];
      // Batches of one take the sample's own arrays as they are (no copy into a batch buffer).
      const single = batchSize === 1;
      for await (const { sample, entry } of this.#run(entries(), ctx, single)) {
        if (ctx.closed) throw this.#closedDuringIteration();
        pending.push(sample);
        if (pending.length === batchSize || entry.last) {
          yield single ? batchOfOne(pending[0] as Sample) : stackSamples(pending);
          pending = [];
        }
      }
      finished = true;
    } finally {
      await this.#closeContext(ctx, finished);
    }
  }

  stats(): LoaderStats {
    let activeWorkers = 0;
    for (const ctx of this.#contexts) activeWorkers += ctx.pool?.alive ?? 0;
    return {
      decodes: this.#decodes,
      decodedBytes: this.#decodedBytes,
      cacheHits: this.#hits,
      cacheMisses: this.#misses,
      cacheBytes: this.#cache?.bytes ?? 0,
      cacheEntries: this.#cache?.size ?? 0,
      cacheEvictions: this.#cache?.evictions ?? 0,
      activeWorkers,
      idleWorkers: this.#idlePool?.alive ?? 0,
      activeStreams: this.#contexts.size,
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    for (const ctx of this.#contexts) ctx.closed = true;
    const idle = this.#idlePool;
    this.#idlePool = null;
    await Promise.allSettled([...[...this.#contexts].map((ctx) => this.#closeContext(ctx, false)), idle?.close()]);
    this.#cache?.clear();
    await this.layout.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new DeepRegLoaderError("CLOSED", `the ${this.split} loader is closed`);
  }

  #closedDuringIteration(): DeepRegLoaderError {
    return new DeepRegLoaderError("CLOSED", `the ${this.split} loader was closed during the iteration`);
  }

  #newPool(): Pool {
    return new WorkerPool<VolumeTask, PreparedVolume>(WORKER_URL, {
      size: this.#settings.workers,
      describe: (task) => ({ label: describeSource(task), file: task.path }),
    });
  }

  /** A new iteration's context: the idle workers of a finished iteration, or new ones. */
  #openContext(): StreamContext {
    let pool: Pool | null = null;
    if (this.#settings.workers > 0) {
      pool = this.#idlePool;
      this.#idlePool = null;
      if (pool === null || pool.closed) pool = this.#newPool();
    }
    const ctx: StreamContext = { pool, closed: false, inflight: new Map(), pairs: new Map(), uses: new Map() };
    this.#contexts.add(ctx);
    return ctx;
  }

  /**
   * Ends an iteration. `finished` (it ran to its end, nothing in flight): its workers are kept for
   * the next iteration when none are kept yet. Otherwise (break, error, close) they terminate,
   * which also drops the read-ahead still running.
   */
  async #closeContext(ctx: StreamContext, finished: boolean): Promise<void> {
    if (!this.#contexts.delete(ctx)) return;
    ctx.pairs.clear();
    ctx.uses.clear();
    ctx.inflight.clear();
    const pool = ctx.pool;
    if (pool === null) return;
    if (finished && !this.#closed && this.#idlePool === null && !pool.closed && pool.pending === 0) {
      this.#idlePool = pool;
      return;
    }
    await pool.close();
  }

  /** The entries of `order` (positions in `plan`), counting the samples of each pair first. */
  *#segment(epoch: number, plan: number[][], order: readonly number[], ctx: StreamContext): Generator<StreamEntry> {
    for (const position of order) {
      const key = this.#pairKey(epoch, plan[position] as number[]);
      ctx.uses.set(key, (ctx.uses.get(key) ?? 0) + 1);
    }
    for (const [k, position] of order.entries()) {
      yield { epoch, indices: plan[position] as number[], last: k === order.length - 1, position };
    }
  }

  /** Samples of `entries` in order, `prefetch` ahead; `own`: each sample owns its arrays. */
  #run(entries: Iterable<StreamEntry>, ctx: StreamContext, own: boolean): AsyncGenerator<{ sample: Sample; entry: StreamEntry }> {
    return orderedMap(
      entries,
      async (entry) => {
        if (ctx.closed) throw this.#closedDuringIteration();
        try {
          if (this.#augment === null) return { sample: await this.#sample(entry, ctx, own), entry };
          // The warps write new arrays: the un-augmented volumes need no copy of their own.
          const plain = await this.#sample(entry, ctx, false);
          const path = this.layout.movingImages.source(pairOf(this.type, entry.indices, this.layout.groups).moving).path;
          return { sample: await this.#augment.apply(plain, entry.epoch, entry.position, ctx.pool, path), entry };
        } catch (error) {
          throw ctx.closed ? this.#closedDuringIteration() : error;
        }
      },
      // Slow start: the first sample does not share the machine with the read-ahead.
      { concurrency: this.#settings.prefetch, rampUp: true },
    );
  }

  /**
   * The sample of `entry`. `own`: its arrays belong to it alone (a volume also held by the cache,
   * another sample of the pair or another pair is copied; one held by nothing else is handed
   * over as it is). Otherwise they may be shared (batches copy them into the batch anyway).
   */
  async #sample(entry: StreamEntry, ctx: StreamContext, own: boolean): Promise<Sample> {
    const { indices } = entry;
    try {
      const { volumes: pair, alone } = await this.#pair(entry, ctx);
      const take = (held: HeldVolume): Volume =>
        own && (held.shared || !alone) ? createVolume(held.volume.data.slice(), held.volume.shape) : asVolume(held.volume);
      const sample: Sample = {
        movingImage: take(pair.movingImage),
        fixedImage: take(pair.fixedImage),
        indices: [...indices],
      };
      if (pair.movingLabel !== undefined && pair.fixedLabel !== undefined) {
        const channel = indices[indices.length - 1] as number;
        const label = (held: HeldVolume): Volume =>
          held.volume.shape.length === 3 ? take(held) : takeChannel(asVolume(held.volume), channel);
        sample.movingLabel = label(pair.movingLabel);
        sample.fixedLabel = label(pair.fixedLabel);
      }
      return sample;
    } catch (error) {
      if (!isDeepRegLoaderError(error) || error.code === "CLOSED") throw error;
      throw new DeepRegLoaderError(error.code, `${error.message} (sample indices [${indices.join(", ")}], epoch ${entry.epoch})`, {
        ...(error.file === undefined ? {} : { file: error.file }),
        cause: error,
        details: { ...error.details, indices: [...indices], epoch: entry.epoch },
      });
    }
  }

  /** The pair of `entry`, read once for all its samples of the stream; `alone`: it has no other sample. */
  async #pair(entry: StreamEntry, ctx: StreamContext): Promise<{ volumes: PairVolumes; alone: boolean }> {
    const ref = pairOf(this.type, entry.indices, this.layout.groups);
    const key = this.#pairKey(entry.epoch, entry.indices);
    let memo = ctx.pairs.get(key);
    if (memo === undefined) {
      const channel = this.#labelChannel(entry.indices);
      memo = { promise: this.#loadPair(ref.moving, ref.fixed, channel, ctx), taken: 0, uses: ctx.uses.get(key) ?? 0 };
      ctx.pairs.set(key, memo);
    }
    memo.taken += 1;
    if (memo.taken >= memo.uses) {
      ctx.pairs.delete(key);
      ctx.uses.delete(key);
    }
    return { volumes: await memo.promise, alone: memo.uses <= 1 };
  }

  /**
   * The label channel to read alone for the sample `indices`, or undefined to read whole labels.
   * Alone when each sample takes one channel (`sample`) and nothing keeps the volume (no cache):
   * a third of the decoding for DeepReg's 3-channel labels. With `all` a pair's samples share its
   * whole labels; with a cache, whole labels serve every later channel choice.
   */
  #labelChannel(indices: readonly number[]): number | undefined {
    if (!this.labeled || this.labelSampling !== "sample" || this.#cache !== null) return undefined;
    const channel = indices[indices.length - 1] as number;
    return channel >= 0 ? channel : undefined;
  }

  /** Key of the pair of a sample (with its label channel when read alone), per epoch. */
  #pairKey(epoch: number, indices: readonly number[]): string {
    const channel = this.#labelChannel(indices);
    const pair = pairOf(this.type, indices as number[], this.layout.groups).key;
    return channel === undefined ? `${epoch}|${pair}` : `${epoch}|${pair}|c${channel}`;
  }

  async #loadPair(moving: number, fixed: number, channel: number | undefined, ctx: StreamContext): Promise<PairVolumes> {
    const { movingImages, fixedImages, movingLabels, fixedLabels } = this.layout;
    const reads = [
      this.#volume("image", movingImages, moving, this.movingImageShape, undefined, ctx),
      this.#volume("image", fixedImages, fixed, this.fixedImageShape, undefined, ctx),
      movingLabels === null ? undefined : this.#volume("label", movingLabels, moving, this.movingImageShape, channel, ctx),
      fixedLabels === null ? undefined : this.#volume("label", fixedLabels, fixed, this.fixedImageShape, channel, ctx),
    ] as const;
    const [movingImage, fixedImage, movingLabel, fixedLabel] = await Promise.all(reads.map((r) => r?.promise));
    // Settled: no request can join these reads any more, so `shared` is final.
    const held = (k: number, volume: PreparedVolume | undefined): HeldVolume | undefined =>
      volume === undefined ? undefined : { volume, shared: (reads[k] as VolumeRead).shared };
    if (movingLabel !== undefined && movingLabels !== null) {
      this.#checkShapes(movingImages, movingLabels, moving, movingImage as PreparedVolume, movingLabel);
    }
    if (fixedLabel !== undefined && fixedLabels !== null) {
      this.#checkShapes(fixedImages, fixedLabels, fixed, fixedImage as PreparedVolume, fixedLabel);
    }
    return {
      movingImage: held(0, movingImage) as HeldVolume,
      fixedImage: held(1, fixedImage) as HeldVolume,
      movingLabel: held(2, movingLabel),
      fixedLabel: held(3, fixedLabel),
    };
  }

  /** Warns (once per file pair) when an image and its label differ in spatial shape. */
  #checkShapes(
    images: FormatFileLoader,
    labels: FormatFileLoader,
    index: number,
    image: PreparedVolume,
    label: PreparedVolume,
  ): void {
    const imageShape = image.rawShape;
    const labelShape = label.rawShape.slice(0, 3);
    if (imageShape.every((d, k) => d === labelShape[k])) return;
    const imageSource = describeSource(images.source(index));
    const labelSource = describeSource(labels.source(index));
    const key = `${imageSource}|${labelSource}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#settings.onWarning(
      `image ${imageSource} has shape [${imageShape.join(", ")}] but its label ${labelSource} has shape [${label.rawShape.join(", ")}]; both are resized to the loader's shape, which may misalign them`,
    );
  }

  /** A read of one preprocessed volume: from the cache, joining a read in flight, or a new read. */
  #volume(
    kind: VolumeKind,
    loader: FormatFileLoader,
    index: number,
    shape: Shape3,
    channel: number | undefined,
    ctx: StreamContext,
  ): VolumeRead {
    const source = loader.source(index);
    const key = `${kind}|${source.path}|${source.key ?? ""}|${shape.join(",")}${channel === undefined ? "" : `|c${channel}`}`;
    if (this.#cache !== null) {
      const hit = this.#cache.get(key);
      if (hit !== undefined) {
        this.#hits += 1;
        return { promise: Promise.resolve(hit), shared: true };
      }
      this.#misses += 1;
    }
    const pending = ctx.inflight.get(key);
    if (pending !== undefined) {
      pending.shared = true;
      return pending;
    }
    const task: VolumeTask = { kind, format: loader.format, path: source.path, shape: [shape[0], shape[1], shape[2]] };
    if (source.key !== undefined) task.key = source.key;
    if (channel !== undefined) task.channel = channel;
    this.#decodes += 1;
    const read =
      ctx.pool === null
        ? loader.read(index, channel === undefined ? {} : { channel }).then((raw) => prepareVolume(raw, task))
        : ctx.pool.run(task).catch((error: unknown) => {
            throw withSource(error, task);
          });
    const promise = read.then((volume) => {
      this.#decodedBytes += 4 * volume.rawShape.reduce((a, b) => a * b, 1);
      if (!this.#closed) this.#cache?.set(key, volume, volume.data.byteLength);
      return volume;
    });
    const entry: VolumeRead = { promise, shared: this.#cache !== null };
    ctx.inflight.set(key, entry);
    // Registered before any caller's reaction, so no request joins a read once it has settled.
    const forget = (): void => {
      if (ctx.inflight.get(key) === entry) ctx.inflight.delete(key);
    };
    promise.then(forget, forget);
    return entry;
  }

  /** Label channels of a pair; `LABEL_COUNT` when moving and fixed differ. */
  #labelCount(pairIndices: readonly number[]): number {
    const ref = pairOf(this.type, [...pairIndices, -1], this.layout.groups);
    const moving = (this.#movingCounts as number[])[ref.moving] as number;
    const fixed = (this.#fixedCounts as number[])[ref.fixed] as number;
    if (moving !== fixed) {
      const movingSource = describeSource((this.layout.movingLabels as FormatFileLoader).source(ref.moving));
      const fixedSource = describeSource((this.layout.fixedLabels as FormatFileLoader).source(ref.fixed));
      throw new DeepRegLoaderError(
        "LABEL_COUNT",
        `moving label ${movingSource} has ${moving} channel${moving === 1 ? "" : "s"} but fixed label ${fixedSource} has ${fixed} (pair indices [${pairIndices.join(", ")}]); moving and fixed labels must have the same number of labels`,
        {
          file: (this.layout.movingLabels as FormatFileLoader).source(ref.moving).path,
          details: { indices: [...pairIndices], movingChannels: moving, fixedChannels: fixed },
        },
      );
    }
    return moving;
  }
}

function asVolume(v: PreparedVolume): Volume {
  return createVolume(v.data, v.shape);
}

/** A batch of one sample that owns its arrays: the same arrays with a leading axis of 1. */
function batchOfOne(sample: Sample): Batch {
  return withBatchAugmentation(batchOfOneVolumes(sample), [sample]);
}

function batchOfOneVolumes(sample: Sample): Batch {
  const lead = (v: Volume): Volume => createVolume(v.data, [1, ...v.shape]);
  const batch: Batch = { movingImage: lead(sample.movingImage), fixedImage: lead(sample.fixedImage), indices: [[...sample.indices]] };
  if (sample.movingLabel !== undefined && sample.fixedLabel !== undefined) {
    batch.movingLabel = lead(sample.movingLabel);
    batch.fixedLabel = lead(sample.fixedLabel);
  }
  return batch;
}

function stackSamples(samples: readonly Sample[]): Batch {
  return withBatchAugmentation(stackSampleVolumes(samples), samples);
}

function stackSampleVolumes(samples: readonly Sample[]): Batch {
  const batch: Batch = {
    movingImage: stackVolumes(samples.map((s) => s.movingImage)),
    fixedImage: stackVolumes(samples.map((s) => s.fixedImage)),
    indices: samples.map((s) => [...s.indices]),
  };
  if (samples.every((s) => s.movingLabel !== undefined && s.fixedLabel !== undefined)) {
    batch.movingLabel = stackVolumes(samples.map((s) => s.movingLabel as Volume));
    batch.fixedLabel = stackVolumes(samples.map((s) => s.fixedLabel as Volume));
  }
  return batch;
}
