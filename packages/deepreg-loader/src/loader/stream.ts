// loader/stream.ts: samples from index vectors: each pair read once for all its samples of an
// iteration, `prefetch` ahead in order, arrays handed over or copied so each sample owns
// its own, the training augmentation applied (loader/augment-stage.ts); and samples stacked
// into batches. May import core, config (types), volume-ops, pipeline/ and loader/.
import { DeepRegLoaderError, createVolume, isDeepRegLoaderError } from "@deepreg-loader/core";
import type { Batch, DatasetType, Sample, SampleAugmentation, Volume } from "@deepreg-loader/core";
import type { Shape3 } from "@deepreg-loader/config";
import { stackVolumes, takeChannel } from "@deepreg-loader/volume-ops";
import type { BufferPool } from "../pipeline/buffer-pool.js";
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
  /**
   * Samples of the stream (still to take) per pair (key: the pair's key), and per label channel
   * of a pair (key: the pair's key, `#`, the channel).
   */
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
      const indices = plan[position] as number[];
      const key = this.#pairKey(epoch, indices);
      ctx.uses.set(key, (ctx.uses.get(key) ?? 0) + 1);
      const channelKey = `${key}#${indices[indices.length - 1] as number}`;
      ctx.uses.set(channelKey, (ctx.uses.get(channelKey) ?? 0) + 1);
      for (const o of this.#observationKeys(epoch, indices)) ctx.observations.set(o, (ctx.observations.get(o) ?? 0) + 1);
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
          const sample = await this.#augmented(entry, ctx, own);
          // A first sample out: workers started in the background now no longer compete with it
          // (a macrotask later, once the consumer has it); the read-ahead waits for them.
          this.#source.startWorkersSoon(ctx);
          return { sample, entry };
        } catch (error) {
          throw ctx.closed ? closedDuringIteration(this.#s.split) : error;
        }
      },
      // Slow start: the first sample does not share the machine with the read-ahead.
      { concurrency: this.#s.prefetch, rampUp: true },
    );
  }

  /** The sample of `entry`, with the training augmentation when the loader has one. */
  async #augmented(entry: StreamEntry, ctx: StreamContext, own: boolean): Promise<Sample> {
    const augment = this.#s.augment;
    if (augment === null) return (await this.#sample(entry, ctx, own)).sample;
    // Drawn before any read: they depend on the seed, epoch, position and configured shapes only.
    const augmentation = augment.draw({ moving: this.#s.movingImageShape, fixed: this.#s.fixedImageShape }, entry.epoch, entry.position);
    if (augmentation.moving.length === 0 && augmentation.fixed.length === 0) return (await this.#sample(entry, ctx, own)).sample;
    const record = { moving: [...augmentation.moving], fixed: [...augmentation.fixed] };
    if (this.#fusable(entry, ctx)) {
      // Each volume is this sample's alone: read, prepared and warped in one task, handed back once.
      const { sample } = await this.#sample(entry, ctx, false, augmentation);
      return { ...sample, augmentation: record };
    }
    // Read un-augmented (cached or shared volumes), then warped: the warps write new arrays,
    // so the volumes need no copy of their own; the ones nothing else holds are handed over.
    const { sample: plain, owned } = await this.#sample(entry, ctx, false);
    const path = this.#s.layout.movingImages.source(pairOf(this.#s.type, entry.indices, this.#s.layout.groups).moving).path;
    return augment.apply(plain, augmentation, ctx.pool, path, owned, this.#source.buffers);
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
      const { volumes: pair, last, lastOfChannel } = await this.#pair(entry, ctx, augmentation);
      const pool = this.#source.buffers;
      const owned: OwnedVolumes = {};
      // `sole`: nothing else holds the array and no later sample of the pair needs it (the
      // pair's last sample, or a label channel's: the others took copies first, since they come
      // earlier in the stream). Such an array is handed over and marked as the sample's own
      // (issued: \`loader.recycle\` may take it back); any other is copied (into a recycled array
      // when one is free) when the sample must own its arrays, else lent as it is.
      const take = (data: Float32Array, shape: number[], sole: boolean, key: keyof OwnedVolumes): Volume => {
        owned[key] = sole || own;
        if (sole) return createVolume(pool.issue(data), shape);
        if (!own) return createVolume(data, shape);
        const copy = recycledOr(pool, data.length);
        copy.set(data);
        return createVolume(pool.issue(copy), shape);
      };
      const image = (held: HeldVolume, key: keyof OwnedVolumes): Volume => take(held.volume.data, held.volume.shape, !held.shared && last, key);
      const sample: Sample = { movingImage: image(pair.movingImage, "movingImage"), fixedImage: image(pair.fixedImage, "fixedImage"), indices: [...indices] };
      if (pair.movingLabel !== undefined && pair.fixedLabel !== undefined) {
        const channel = indices[indices.length - 1] as number;
        const label = (held: HeldVolume, key: "movingLabel" | "fixedLabel"): Volume => {
          const { planes, shape } = held.volume;
          if (planes !== undefined) return take(planes[channel] as Float32Array, shape.slice(0, 3), !held.shared && lastOfChannel, key);
          if (shape.length === 3) return image(held, key);
          owned[key] = true; // a new array
          return channelOf(asVolume(held.volume), channel, pool);
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
   * The pair of `entry`, read once for all its samples of the stream; `last`: no later sample
   * of the stream takes the pair, `lastOfChannel`: none takes its label channel.
   * `augmentation`: fused into the reads (the pair is then this sample's alone).
   */
  async #pair(
    entry: StreamEntry,
    ctx: StreamContext,
    augmentation?: SampleAugmentation,
  ): Promise<{ volumes: PairVolumes; last: boolean; lastOfChannel: boolean }> {
    const ref = pairOf(this.#s.type, entry.indices, this.#s.layout.groups);
    const key = this.#pairKey(entry.epoch, entry.indices);
    let memo = ctx.pairs.get(key);
    if (memo === undefined) {
      const channel = this.#labelChannel(entry.indices);
      memo = { promise: this.#loadPair(ref.moving, ref.fixed, channel, ctx, augmentation), taken: 0, uses: ctx.uses.get(key) ?? 0 };
      ctx.pairs.set(key, memo);
    }
    memo.taken += 1;
    const last = memo.taken >= memo.uses;
    if (last) {
      ctx.pairs.delete(key);
      ctx.uses.delete(key);
    }
    const channelKey = `${key}#${entry.indices[entry.indices.length - 1] as number}`;
    const channelUses = (ctx.uses.get(channelKey) ?? 1) - 1;
    if (channelUses > 0) ctx.uses.set(channelKey, channelUses);
    else ctx.uses.delete(channelKey);
    return { volumes: await memo.promise, last, lastOfChannel: channelUses <= 0 };
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
    // Every read settles before the pair does, and the first failure in the pair's order (moving
    // image, fixed image, moving label, fixed label) is the one thrown: the same error whichever
    // read fails first in time (threads, libuv), as the stream is the same for any workers.
    const settled = await Promise.allSettled(reads.map((r) => r?.promise));
    const failed = settled.find((r) => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    const [movingImage, fixedImage, movingLabel, fixedLabel] = settled.map((r) => (r as PromiseFulfilledResult<PreparedVolume | undefined>).value);
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

/** A recycled array of `length` elements when one is free (counted as re-used), else a new one. */
function recycledOr(pool: BufferPool, length: number): Float32Array {
  const recycled = pool.take(length);
  if (recycled === undefined) return new Float32Array(length);
  pool.noteReused();
  return recycled;
}

/** `takeChannel` of a 4D label into a recycled array when one is free; the result is issued. */
function channelOf(label: Volume, channel: number, pool: BufferPool): Volume {
  const [d1, d2, d3, channels] = label.shape as [number, number, number, number];
  const n = d1 * d2 * d3;
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) return takeChannel(label, channel);
  const out = recycledOr(pool, n);
  const data = label.data as Float32Array;
  for (let i = 0, s = channel; i < n; i++, s += channels) out[i] = data[s] as number;
  return createVolume(pool.issue(out), [d1, d2, d3]);
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

/**
 * Samples stacked on a leading batch axis, one contiguous array per key (and their augmentation
 * records). With `pool`: each batch array is written into a recycled array when one of its size
 * is free, and is issued (the consumer may recycle the batch); the samples' own arrays, copied
 * into the batch, go back to the pool.
 */
export function stackSamples(samples: readonly Sample[], pool?: BufferPool): Batch {
  const stack = (volumes: Volume[]): Volume => (pool === undefined ? stackVolumes(volumes) : stackRecycled(volumes, pool));
  const batch: Batch = {
    movingImage: stack(samples.map((s) => s.movingImage)),
    fixedImage: stack(samples.map((s) => s.fixedImage)),
    indices: samples.map((s) => [...s.indices]),
  };
  if (samples.every((s) => s.movingLabel !== undefined && s.fixedLabel !== undefined)) {
    batch.movingLabel = stack(samples.map((s) => s.movingLabel as Volume));
    batch.fixedLabel = stack(samples.map((s) => s.fixedLabel as Volume));
  }
  const stacked = withBatchAugmentation(batch, samples);
  if (pool !== undefined) for (const s of samples) recycleArrays(s, pool);
  return stacked;
}

/** {@link stackVolumes} into a recycled array when one is free (same checks and result), issued. */
function stackRecycled(volumes: readonly Volume[], pool: BufferPool): Volume {
  const first = volumes[0];
  const size = first?.size ?? 0;
  // Plain contiguous volumes of one shape (every sample of a loader); anything else: stackVolumes.
  const same = first !== undefined && volumes.every((v) => v.data.length === size && isRowMajor(v) && v.shape.length === first.shape.length && v.shape.every((d, k) => d === first.shape[k]));
  const out = same ? pool.take(size * volumes.length) : undefined;
  if (out === undefined) {
    const fresh = stackVolumes(volumes);
    pool.issue(fresh.data as Float32Array);
    return fresh;
  }
  pool.noteReused();
  volumes.forEach((v, i) => out.set(v.data, i * size));
  return createVolume(pool.issue(out), [volumes.length, ...(first as Volume).shape]);
}

/** Offset 0 and row-major strides: `data` holds the volume in order. */
function isRowMajor(v: Volume): boolean {
  if (v.offset !== 0 || v.shape.length !== v.stride.length) return false;
  for (let a = v.shape.length - 1, s = 1; a >= 0; s *= v.shape[a] as number, a--) if ((v.shape[a] as number) > 1 && v.stride[a] !== s) return false;
  return true;
}

/** Hands the issued arrays of a sample or batch back to `pool`; returns how many it took. */
export function recycleArrays(item: Partial<Pick<Sample, "movingImage" | "fixedImage" | "movingLabel" | "fixedLabel">>, pool: BufferPool): number {
  let taken = 0;
  for (const v of [item.movingImage, item.fixedImage, item.movingLabel, item.fixedLabel]) {
    if (v !== null && typeof v === "object" && pool.recycle((v as Volume).data)) taken += 1;
  }
  return taken;
}
