// loader/data-loader.ts: the loader of one split: plans, `samples()`, `batches()`, stats and
// closing, assembled from plan.ts, stream.ts, volume-source.ts and augment-stage.ts. May import core, config,
// samplers, pipeline/ and loader/.
import { DeepRegLoaderError, GROUPED_DEFAULTS } from "@deepreg-loader/core";
import type { Batch, DataFormat, DatasetType, LabelSampling, Sample, Split } from "@deepreg-loader/core";
import type { DatasetConfig, Shape3 } from "@deepreg-loader/config";
import { randomFor } from "@deepreg-loader/samplers";
import { numIndicesOf } from "../pipeline/epoch-plan.js";
import { shuffleBufferOrder } from "../pipeline/shuffle-buffer.js";
import { AugmentStage } from "./augment-stage.js";
import { assertKnownKeys, OPTION_KEYS } from "./data-loader-arguments.js";
import type { SplitLayout } from "./layout.js";
import { assertInteger, invalid, settleWorkers, shardMode } from "./options.js";
import type { Settings, ShardMode } from "./options.js";
import { epochPlan, numSamplesOf } from "./plan.js";
import type { PlanInputs } from "./plan.js";
import { batchOfOne, recycleArrays, SampleStream, stackSamples } from "./stream.js";
import type { StreamEntry } from "./stream.js";
import type { BatchesOptions, DataLoader, LoaderStats, SamplesOptions } from "./types.js";
import { closedDuringIteration, VolumeSource } from "./volume-source.js";

export class DeepRegDataLoader implements DataLoader {
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
  readonly workers: number;
  readonly labelSampling: LabelSampling;
  readonly seed: number;
  readonly layout: SplitLayout;

  readonly #settings: Settings & { workers: number; prefetch: number };
  readonly #plan: PlanInputs;
  readonly #source: VolumeSource;
  readonly #stream: SampleStream;
  #closed = false;
  /** The one close in progress or done: every `close()` call resolves when it has finished. */
  #closing: Promise<void> | null = null;

  constructor(config: DatasetConfig, split: Split, layout: SplitLayout, given: Settings) {
    this.type = config.type;
    this.split = split;
    this.format = layout.format;
    this.labeled = layout.labeled;
    this.layout = layout;
    this.movingImageShape = [...config.moving_image_shape] as Shape3;
    this.fixedImageShape = [...config.fixed_image_shape] as Shape3;
    this.numIndices = numIndicesOf(config.type);
    this.labelSampling = given.labelSampling;
    this.seed = given.seed;
    this.numImages = layout.movingImages.ids.length;
    this.numGroups = layout.groups === null ? undefined : layout.groups.length;
    this.#plan = {
      type: config.type,
      numImages: this.numImages,
      groups: layout.groups,
      sampling: {
        intraGroupProb: config.intra_group_prob ?? GROUPED_DEFAULTS.intra_group_prob,
        intraGroupOption: config.intra_group_option ?? GROUPED_DEFAULTS.intra_group_option,
        sampleImageInGroup: config.sample_image_in_group ?? GROUPED_DEFAULTS.sample_image_in_group,
      },
      labelChannels: layout.movingLabelChannels,
      seed: given.seed,
      redraw: given.redraw,
      labelSampling: given.labelSampling,
      shard: given.shard,
    };
    this.numSamples = numSamplesOf(this.#plan);
    // Float32 bytes one epoch yields (images, plus labels of the same shapes): what `auto` weighs.
    const voxels = this.movingImageShape.reduce((a, b) => a * b, 1) + this.fixedImageShape.reduce((a, b) => a * b, 1);
    const settings = settleWorkers(given, 4 * voxels * this.numSamples * (layout.labeled ? 2 : 1));
    this.#settings = settings;
    this.workers = settings.workers;
    this.#source = new VolumeSource(settings.workers, settings.cacheBytes, settings.workerUrl, { background: settings.autoWorkers });
    this.#stream = new SampleStream(
      {
        type: config.type,
        split,
        layout,
        movingImageShape: this.movingImageShape,
        fixedImageShape: this.fixedImageShape,
        channelAlone: settings.labelSampling === "sample" && !this.#source.cached,
        prefetch: settings.prefetch,
        augment: settings.augmentation.length === 0 ? null : new AugmentStage(settings.augmentation, settings.seed, settings.shard),
      },
      this.#source,
    );
  }

  plan(epoch = 0): number[][] {
    assertInteger("epoch", epoch, 0);
    return epochPlan(this.#plan, epoch, shardMode(this.#settings.evenDivisible, this.split === "train"));
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
    const ctx = this.#stream.open();
    let finished = false;
    try {
      for await (const { sample } of this.#stream.run(this.#stream.segment(epoch, plan, order, ctx), ctx, true)) {
        if (ctx.closed) throw closedDuringIteration(this.split);
        yield sample;
      }
      finished = true;
    } finally {
      await this.#source.end(ctx, finished);
    }
  }

  async *batches(options: BatchesOptions): AsyncGenerator<Batch, void, undefined> {
    if (options === undefined) throw invalid("batches() needs options with batchSize, e.g. batches({ batchSize: 4 })");
    assertKnownKeys("batches()", options, OPTION_KEYS.batches);
    const { batchSize, epochs } = options;
    const training = options.training ?? this.split === "train";
    const bufferBatches = options.shuffleBufferNumBatch ?? 1;
    const startEpoch = options.startEpoch ?? 0;
    const startBatch = options.startBatch ?? 0;
    assertInteger("batchSize", batchSize, 1);
    assertInteger("shuffleBufferNumBatch", bufferBatches, 1);
    assertInteger("startEpoch", startEpoch, 0);
    assertInteger("startBatch", startBatch, 0);
    if (epochs !== undefined) assertInteger("epochs", epochs, 0);
    this.#assertOpen();
    // Sharded training needs equal step counts on every rank; evaluation needs every sample once.
    const mode: ShardMode = shardMode(this.#settings.evenDivisible, training);
    const stream = this.#stream;
    const ctx = stream.open();
    const { seed } = this;
    const inputs = this.#plan;
    function* entries(): Generator<StreamEntry, void, undefined> {
      for (let epoch = startEpoch; epochs === undefined || epoch < epochs; epoch++) {
        const plan = epochPlan(inputs, epoch, mode);
        const n = plan.length;
        const numBatches = training ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
        if (numBatches === 0 && epochs === undefined) {
          throw invalid(
            `an epoch of ${n} samples makes no batch of ${batchSize}${training ? " (training drops the partial batch)" : ""}: endless batches() would never yield`,
          );
        }
        if (epoch === startEpoch && startBatch > numBatches) {
          throw invalid(`startBatch ${startBatch} is past the end of epoch ${epoch} (${numBatches} batches)`);
        }
        const skip = epoch === startEpoch ? startBatch * batchSize : 0;
        const full = training
          ? shuffleBufferOrder(n, batchSize * bufferBatches, randomFor(seed, epoch, "shuffle-buffer"))
          : Array.from({ length: n }, (_, i) => i);
        yield* stream.segment(epoch, plan, full.slice(skip, training ? numBatches * batchSize : n), ctx);
      }
    }
    let finished = false;
    try {
      let pending: Sample[] = [];
      // Batches of one take the sample's own arrays as they are (no copy into a batch buffer).
      const single = batchSize === 1;
      for await (const { sample, entry } of stream.run(entries(), ctx, single)) {
        if (ctx.closed) throw closedDuringIteration(this.split);
        pending.push(sample);
        if (pending.length === batchSize || entry.last) {
          yield single ? batchOfOne(pending[0] as Sample) : stackSamples(pending, this.#source.buffers);
          pending = [];
        }
      }
      finished = true;
    } finally {
      await this.#source.end(ctx, finished);
    }
  }

  recycle(item: Sample | Batch): number {
    if (this.#closed || item === null || typeof item !== "object") return 0;
    return recycleArrays(item, this.#source.buffers);
  }

  stats(): LoaderStats {
    const s = this.#source;
    return {
      decodes: s.decodes,
      decodedBytes: s.decodedBytes,
      cacheHits: s.hits,
      cacheMisses: s.misses,
      ...s.stats(),
      recycledArrays: s.buffers.recycled,
      reusedArrays: s.buffers.reused,
    };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await this.#source.close();
      await this.layout.close();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new DeepRegLoaderError("CLOSED", `the ${this.split} loader is closed`);
  }
}
