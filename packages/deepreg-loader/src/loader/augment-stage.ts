// loader/augment-stage.ts: the loader's side of training augmentation (the maths is
// @deepreg-loader/augment's): which value a loader applies (the option, or the whole config's
// `train.preprocess.data_augmentation`), its transforms (train split only), the seeded
// parameter stream of each sample, and the batches' records. The value is judged by the
// `augmentation-config` dataset rule (dataset/rules.ts); the warps run in
// pipeline/augment-task.ts. May import core, augment, samplers, pipeline/ and loader/.
import type { Batch, Sample, SampleAugmentation, Split } from "@deepreg-loader/core";
import { drawAugmentation, parseAugmentation } from "@deepreg-loader/augment";
import type { AugmentationShapes, AugmentationTransform } from "@deepreg-loader/augment";
import { randomFor } from "@deepreg-loader/samplers";
import type { Random } from "@deepreg-loader/samplers";
import { warpSample } from "../pipeline/augment-task.js";
import type { AugmentPool, OwnedVolumes } from "../pipeline/augment-task.js";
import type { BufferPool } from "../pipeline/buffer-pool.js";

/** What `createDataLoader` was given: `config.dataset`, or the whole config (`{ dataset, train, ... }`). */
export interface ConfigArgument {
  /** The dataset config to validate (`config.dataset` of a whole config). */
  dataset: unknown;
  /** DeepReg's `data_augmentation` value to use (option, else the whole config's), or `undefined`. */
  augmentation: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A whole config's `train.preprocess.data_augmentation` (undefined when any level is missing). */
export function configAugmentation(config: { train?: unknown }): unknown {
  const train = isPlainObject(config.train) ? config.train : undefined;
  const preprocess = train !== undefined && isPlainObject(train.preprocess) ? train.preprocess : undefined;
  return preprocess?.data_augmentation;
}

/**
 * Splits `createDataLoader`'s first argument: a whole config (a mapping with a `dataset` key,
 * as `readConfig` returns) gives its `dataset` and, unless `options` has an `augmentation` key,
 * its `train.preprocess.data_augmentation`; anything else is the dataset config itself, with
 * the option's augmentation (or none).
 */
export function splitConfigArgument(config: unknown, options: { augmentation?: unknown }): ConfigArgument {
  const fromOption = Object.hasOwn(options, "augmentation");
  if (isPlainObject(config) && Object.hasOwn(config, "dataset")) {
    return { dataset: config.dataset, augmentation: fromOption ? options.augmentation : configAugmentation(config) };
  }
  return { dataset: config, augmentation: options.augmentation };
}

/**
 * The transforms a loader of `split` applies: the `train` split's value normalised
 * (`parseAugmentation`; `false`, `undefined` and `null` mean none); `valid` and `test` are never
 * augmented and ignore the value, as DeepReg does. The value was judged by the
 * `augmentation-config` rule before (openSplitLayout), so this does not throw for it.
 */
export function resolveAugmentation(
  value: unknown,
  split: Split,
  shapes: { moving_image_shape: readonly number[]; fixed_image_shape: readonly number[] },
): AugmentationTransform[] {
  if (split !== "train") return [];
  return parseAugmentation(value, { imageShapes: [shapes.moving_image_shape, shapes.fixed_image_shape] });
}

/**
 * The augmentation stream of one sample: `randomFor(seed, epoch, "augment", position)`, where
 * `position` is the sample's position in this rank's plan of the epoch (`loader.plan(epoch)`),
 * prefixed by the shard (`"augment", "<index>/<count>"`) when the epoch is sharded. A padded
 * position of a short rank (shard padding, past the plan's own samples) is a position like any
 * other: its repeated sample gets its own parameters. Separate from the plan and shuffle-buffer
 * streams, so turning augmentation on changes neither the order nor the labels, and the same for
 * any `workers`, `prefetch`, `cacheBytes`, batch size, shuffle buffer and resume point.
 */
export function augmentationRandom(seed: number, epoch: number, position: number, shard: { index: number; count: number }): Random {
  return shard.count === 1
    ? randomFor(seed, epoch, "augment", position)
    : randomFor(seed, epoch, "augment", `${shard.index}/${shard.count}`, position);
}

/**
 * The loader's augmentation stage: draws a sample's parameters on the calling (main) thread
 * from its own stream, before any of its volumes is read (they depend only on the seed, epoch,
 * position and the configured image shapes), so the stream can fuse the warps into the reads
 * (loader/stream.ts); or warps a sample already read, on the main thread or in a worker of the
 * iteration's pool (`warpSample`). Either way the result owns new arrays and carries
 * `augmentation`; no cached or shared volume is changed.
 */
export class AugmentStage {
  readonly transforms: readonly AugmentationTransform[];
  readonly #seed: number;
  readonly #shard: { index: number; count: number };

  constructor(transforms: readonly AugmentationTransform[], seed: number, shard: { index: number; count: number }) {
    this.transforms = transforms;
    this.#seed = seed;
    this.#shard = shard;
  }

  /**
   * The parameters of the sample at `position` of `epoch` (no warping), for images of the
   * (configured, prepared) `shapes`.
   */
  draw(shapes: AugmentationShapes, epoch: number, position: number): SampleAugmentation {
    const random = augmentationRandom(this.#seed, epoch, position, this.#shard);
    return drawAugmentation(this.transforms, shapes, random);
  }

  /**
   * `sample` warped by `augmentation` (drawn by `draw`); `owned` volumes are handed over (to the
   * worker by transfer, or warped into `buffers` on the main thread), others copied; `path`
   * names the sample in a worker's error.
   */
  apply(
    sample: Sample,
    augmentation: SampleAugmentation,
    pool: AugmentPool | null,
    path: string,
    owned: OwnedVolumes,
    buffers: BufferPool,
  ): Promise<Sample> {
    return warpSample(sample, augmentation, pool, path, owned, buffers);
  }
}

/** `batch` with its samples' `augmentation` records, when they have them (in batch order). */
export function withBatchAugmentation(batch: Batch, samples: readonly Sample[]): Batch {
  if (samples.some((s) => s.augmentation !== undefined)) {
    batch.augmentation = samples.map((s) => s.augmentation ?? { moving: [], fixed: [] });
  }
  return batch;
}

/**
 * `createDataLoader` options of the CLI's `export` and `preview`: the config's augmentation
 * (train split only, as the loader decides), or none with `--no-augment`.
 */
export function cliAugmentation(noAugment: boolean, config: { train?: unknown }): { augmentation: unknown } {
  return { augmentation: noAugment ? false : configAugmentation(config) };
}
