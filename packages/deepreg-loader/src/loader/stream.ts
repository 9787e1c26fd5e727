// loader/stream.ts: samples from index vectors: each pair read once for all its samples of an
// iteration, `prefetch` ahead in order, arrays handed over or copied so each sample owns
// its own, the training augmentation applied (loader/augment-stage.ts); and samples stacked
// into batches. May import core, config (types), volume-ops, pipeline/ and loader/.
import { DeepRegLoaderError, createVolume, isDeepRegLoaderError } from "@deepreg-loader/core";
import type { Batch, DatasetType, Sample, SampleAugmentation, Volume } from "@deepreg-loader/core";
import type { Shape3 } from "@deepreg-loader/config";
import { stackVolumes, takeChannel } from "@deepreg-loader/volume-ops";
import { pairOf } from "../pipeline/epoch-plan.js";
import { orderedMap } from "../pipeline/ordered-map.js";
import type { OwnedVolumes } from "../pipeline/augment-task.js";
import type { PreparedVolume } from "../pipeline/prepare-volume.js";
import { withBatchAugmentation } from "./augment-stage.js";
import type { AugmentStage } from "./augment-stage.js";
import type { SplitLayout } from "./layout.js";
import { closedDuringIteration } from "./volume-source.js";
import type { ReadContext, VolumeRead, VolumeSource } from "./volume-source.js";

/** One sample-to-be of a stream: its epoch, index vector, and whether it ends its epoch's part. */
export interface StreamEntry {
  epoch: number;
  indices: number[];
  last: boolean;
  /** Position in this rank's plan of the epoch, which seeds the sample's augmentation. */
  position: number;
}

/** A preprocessed volume and whether anything else holds it (the cache, another pair). */
interface HeldVolume {
  volume: PreparedVolume;
  shared: boolean;
}

interface PairVolumes {
  movingImage: HeldVolume;
  fixedImage: HeldVolume;
  movingLabel: HeldVolume | undefined;
  fixedLabel: HeldVolume | undefined;
}

/** An iteration: its reads, and the pairs shared by its samples until the last one took them. */
export interface StreamContext extends ReadContext {
  pairs: Map<string, { promise: Promise<PairVolumes>; taken: number; uses: number }>;
  /** Samples of the stream (still to take) per pair. */
  uses: Map<string, number>;
  /** Samples of the stream per volume read (epoch and observation): 1 lets augmentation fuse into the read. */
  observations: Map<string, number>;
}

export interface StreamSettings {
  type: DatasetType;
  split: string;
  layout: SplitLayout;
  movingImageShape: Shape3;
  fixedImageShape: Shape3;
  /** One label channel read alone per sample (`sample` sampling without a cache). */
  channelAlone: boolean;
  prefetch: number;
  /** Training augmentation, or null when none applies. */
  augment: AugmentStage | null;
}

/** Turns index vectors into samples for one loader. */
export class SampleStream {
  readonly #s: StreamSettings;
  readonly #source: VolumeSource;

  constructor(settings: StreamSettings, source: VolumeSource) {
    this.#s = settings;
    this.#source = source;
  }

  open(): StreamContext {
    const ctx = this.#source.open() as StreamContext;
    ctx.pairs = new Map();
    ctx.uses = new Map();
    ctx.observations = new Map();
    ctx.onEnd.push(() => {
      ctx.pairs.clear();
      ctx.uses.clear();
      ctx.observations.clear();
    });
    return ctx;
  }

  /** The entries of `order` (positions in `plan`), counting the samples of each pair first. */
  *segment(epoch: number, plan: number[][], order: readonly number[], ctx: StreamContext): Generator<StreamEntry> {
    for (const position of order) {
      const key = this.#pairKey(epoch, plan[position] as number[]);
      ctx.uses.set(key, (ctx.uses.get(key) ?? 0) + 1);
      for (const o of this.#observationKeys(epoch, plan[position] as number[])) ctx.observations.set(o, (ctx.observations.get(o) ?? 0) + 1);
    }
    for (const [k, position] of order.entries()) {
      yield { epoch, indices: plan[position] as number[], last: k === order.length - 1, position };
    }
  }

  /** Samples of `entries` in order, `prefetch` ahead; `own`: each sample owns its arrays. */
  run(entries: Iterable<StreamEntry>, ctx: StreamContext, own: boolean): AsyncGenerator<{ sample: Sample; entry: StreamEntry }> {
    return orderedMap(
      entries,
      async (entry) => {
        if (ctx.closed) throw closedDuringIteration(this.#s.split);
        try {
          const augment = this.#s.augment;
          if (augment === null) return { sample: (await this.#sample(entry, ctx, own)).sample, entry };
          // Drawn before any read: they depend on the seed, epoch, position and configured shapes only.
          const augmentation = augment.draw({ moving: this.#s.movingImageShape, fixed: this.#s.fixedImageShape }, entry.epoch, entry.position);
          if (augmentation.moving.length === 0 && augmentation.fixed.length === 0) return { sample: (await this.#sample(entry, ctx, own)).sample, entry };
          const record = { moving: [...augmentation.moving], fixed: [...augmentation.fixed] };
          if (this.#fusable(entry, ctx)) {
            // Each volume is this sample's alone: read, prepared and warped in one task, handed back once.
            const { sample } = await this.#sample(entry, ctx, false, augmentation);
            return { sample: { ...sample, augmentation: record }, entry };
          }
          // Read un-augmented (cached or shared volumes), then warped: the warps write new arrays,
          // so the volumes need no copy of their own; the ones nothing else holds are handed over.
          const { sample: plain, owned } = await this.#sample(entry, ctx, false);
          const path = this.#s.layout.movingImages.source(pairOf(this.#s.type, entry.indices, this.#s.layout.groups).moving).path;
          return { sample: await augment.apply(plain, augmentation, ctx.pool, path, owned, this.#source.warpBuffers), entry };
        } catch (error) {
          throw ctx.closed ? closedDuringIteration(this.#s.split) : error;
        }
      },
      // Slow start: the first sample does not share the machine with the read-ahead.
      { concurrency: this.#s.prefetch, rampUp: true },
    );
  }

  /**
   * The sample of `entry`. `own`: its arrays belong to it alone (a volume also held by the cache,
   * another sample of the pair or another pair is copied; one held by nothing else is handed
   * over as it is). Otherwise they may be shared (batches copy them into the batch anyway).
   * `owned`: which volumes are the sample's alone either way. `augmentation`: fused into the reads
   * (`#fusable` entries only).
   */
  async #sample(
    entry: StreamEntry,
    ctx: StreamContext,
    own: boolean,
    augmentation?: SampleAugmentation,
  ): Promise<{ sample: Sample; owned: OwnedVolumes }> {
    const { indices } = entry;
    try {
      const { volumes: pair, alone } = await this.#pair(entry, ctx, augmentation);
      const owned: OwnedVolumes = {};
      const take = (held: HeldVolume, key: keyof OwnedVolumes): Volume => {
        const alreadyOwned = !held.shared && alone;
        owned[key] = own || alreadyOwned;
        return own && !alreadyOwned ? createVolume(held.volume.data.slice(), held.volume.shape) : asVolume(held.volume);
      };
      const sample: Sample = { movingImage: take(pair.movingImage, "movingImage"), fixedImage: take(pair.fixedImage, "fixedImage"), indices: [...indices] };
      if (pair.movingLabel !== undefined && pair.fixedLabel !== undefined) {
        const channel = indices[indices.length - 1] as number;
        const label = (held: HeldVolume, key: "movingLabel" | "fixedLabel"): Volume => {
          if (held.volume.shape.length === 3) return take(held, key);
          owned[key] = true; // a new array
          return takeChannel(asVolume(held.volume), channel);
        };
        sample.movingLabel = label(pair.movingLabel, "movingLabel");
        sample.fixedLabel = label(pair.fixedLabel, "fixedLabel");
      }
      return { sample, owned };
    } catch (error) {
      if (!isDeepRegLoaderError(error) || error.code === "CLOSED") throw error;
      throw new DeepRegLoaderError(error.code, `${error.message} (sample indices [${indices.join(", ")}], epoch ${entry.epoch})`, {
        ...(error.file === undefined ? {} : { file: error.file }),
        cause: error,
        details: { ...error.details, indices: [...indices], epoch: entry.epoch },
      });
    }
  }

  /**
   * Whether the augmentation of `entry` can be fused into its reads: no cache (it holds
   * un-augmented volumes), and each of its volumes read for this sample alone (no other sample of
   * the stream's epoch uses the pair or either observation, so no read is shared).
   */
  #fusable(entry: StreamEntry, ctx: StreamContext): boolean {
    if (this.#source.cached) return false;
    return this.#observationKeys(entry.epoch, entry.indices).every((o) => ctx.observations.get(o) === 1);
  }

  /** Keys of the volumes' observations of the sample `indices` (moving, fixed), per epoch. */
  #observationKeys(epoch: number, indices: readonly number[]): [string, string] {
    const ref = pairOf(this.#s.type, indices as number[], this.#s.layout.groups);
    // Unpaired and grouped data read both sides from the same files.
    const same = this.#s.layout.movingImages === this.#s.layout.fixedImages;
    return [`${epoch}|${same ? "o" : "m"}${ref.moving}`, `${epoch}|${same ? "o" : "f"}${ref.fixed}`];
  }

  /**
   * The pair of `entry`, read once for all its samples of the stream; `alone`: it has no other
   * sample. `augmentation`: fused into the reads (the pair is then this sample's alone).
   */
  async #pair(entry: StreamEntry, ctx: StreamContext, augmentation?: SampleAugmentation): Promise<{ volumes: PairVolumes; alone: boolean }> {
    const ref = pairOf(this.#s.type, entry.indices, this.#s.layout.groups);
    const key = this.#pairKey(entry.epoch, entry.indices);
    let memo = ctx.pairs.get(key);
    if (memo === undefined) {
      const channel = this.#labelChannel(entry.indices);
      memo = { promise: this.#loadPair(ref.moving, ref.fixed, channel, ctx, augmentation), taken: 0, uses: ctx.uses.get(key) ?? 0 };
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
    if (!this.#s.layout.labeled || !this.#s.channelAlone) return undefined;
    const channel = indices[indices.length - 1] as number;
    return channel >= 0 ? channel : undefined;
  }

  /** Key of the pair of a sample (with its label channel when read alone), per epoch. */
  #pairKey(epoch: number, indices: readonly number[]): string {
    const channel = this.#labelChannel(indices);
    const pair = pairOf(this.#s.type, indices as number[], this.#s.layout.groups).key;
    return channel === undefined ? `${epoch}|${pair}` : `${epoch}|${pair}|c${channel}`;
  }

  async #loadPair(
    moving: number,
    fixed: number,
    channel: number | undefined,
    ctx: StreamContext,
    augmentation: SampleAugmentation | undefined,
  ): Promise<PairVolumes> {
    const { movingImages, fixedImages, movingLabels, fixedLabels } = this.#s.layout;
    const { movingImageShape, fixedImageShape } = this.#s;
    const source = this.#source;
    const m = augmentation?.moving;
    const f = augmentation?.fixed;
    const reads = [
      source.volume("image", movingImages, moving, movingImageShape, undefined, ctx, m),
      source.volume("image", fixedImages, fixed, fixedImageShape, undefined, ctx, f),
      movingLabels === null ? undefined : source.volume("label", movingLabels, moving, movingImageShape, channel, ctx, m),
      fixedLabels === null ? undefined : source.volume("label", fixedLabels, fixed, fixedImageShape, channel, ctx, f),
    ] as const;
    const [movingImage, fixedImage, movingLabel, fixedLabel] = await Promise.all(reads.map((r) => r?.promise));
    // Settled: no request can join these reads any more, so `shared` is final.
    const held = (k: number, volume: PreparedVolume | undefined): HeldVolume | undefined =>
      volume === undefined ? undefined : { volume, shared: (reads[k] as VolumeRead).shared };
    return {
      movingImage: held(0, movingImage) as HeldVolume,
      fixedImage: held(1, fixedImage) as HeldVolume,
      movingLabel: held(2, movingLabel),
      fixedLabel: held(3, fixedLabel),
    };
  }
}

function asVolume(v: PreparedVolume): Volume {
  return createVolume(v.data, v.shape);
}

/** A batch of one sample that owns its arrays: the same arrays with a leading axis of 1 (and its augmentation record). */
export function batchOfOne(sample: Sample): Batch {
  const lead = (v: Volume): Volume => createVolume(v.data, [1, ...v.shape]);
  const batch: Batch = { movingImage: lead(sample.movingImage), fixedImage: lead(sample.fixedImage), indices: [[...sample.indices]] };
  if (sample.movingLabel !== undefined && sample.fixedLabel !== undefined) {
    batch.movingLabel = lead(sample.movingLabel);
    batch.fixedLabel = lead(sample.fixedLabel);
  }
  return withBatchAugmentation(batch, [sample]);
}

/** Samples stacked on a leading batch axis, one contiguous array per key (and their augmentation records). */
export function stackSamples(samples: readonly Sample[]): Batch {
  const batch: Batch = {
    movingImage: stackVolumes(samples.map((s) => s.movingImage)),
    fixedImage: stackVolumes(samples.map((s) => s.fixedImage)),
    indices: samples.map((s) => [...s.indices]),
  };
  if (samples.every((s) => s.movingLabel !== undefined && s.fixedLabel !== undefined)) {
    batch.movingLabel = stackVolumes(samples.map((s) => s.movingLabel as Volume));
    batch.fixedLabel = stackVolumes(samples.map((s) => s.fixedLabel as Volume));
  }
  return withBatchAugmentation(batch, samples);
}
