// Training augmentation inside the data loader (issue 8): which transforms a loader applies,
// the seeded parameter stream of each sample, and applying them on the main thread or in the
// loader's worker threads. The maths is @deepreg-loader/augment's; this file holds only the
// loader's side, behind a few small hooks in data-loader.ts, worker.ts and the CLI.
import type { Batch, Sample, SampleAugmentation, Split, VolumeData } from "@deepreg-loader/core";
import { createVolume, toVolumeData } from "@deepreg-loader/core";
import { applyAugmentation, drawAugmentation, parseAugmentation, validateAugmentation } from "@deepreg-loader/augment";
import type { AugmentationTransform } from "@deepreg-loader/augment";
import { randomFor } from "@deepreg-loader/samplers";
import type { Random } from "@deepreg-loader/samplers";
import { serializeError } from "./pipeline/worker-pool.js";

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

/**
 * Splits `createDataLoader`'s first argument: a whole config (a mapping with a `dataset` key,
 * as `readConfig` returns) gives its `dataset` and, unless `options` has an `augmentation` key,
 * its `train.preprocess.data_augmentation`; anything else is the dataset config itself, with
 * the option's augmentation (or none).
 */
export function splitConfigArgument(config: unknown, options: { augmentation?: unknown }): ConfigArgument {
  const fromOption = Object.hasOwn(options, "augmentation");
  if (isPlainObject(config) && Object.hasOwn(config, "dataset")) {
    const train = isPlainObject(config.train) ? config.train : undefined;
    const preprocess = train !== undefined && isPlainObject(train.preprocess) ? train.preprocess : undefined;
    return { dataset: config.dataset, augmentation: fromOption ? options.augmentation : preprocess?.data_augmentation };
  }
  return { dataset: config, augmentation: options.augmentation };
}

/**
 * The transforms a loader of `split` applies: DeepReg's `data_augmentation` value checked and
 * normalised (`parseAugmentation`, `low_res_size` against both image shapes; `false`,
 * `undefined` and `null` mean none), for the `train` split only: `valid` and `test` ignore it,
 * as DeepReg does, but an invalid value is an `INVALID_CONFIG` error naming
 * `train.preprocess.data_augmentation` for every split, before any file is read.
 */
export function resolveAugmentation(
  value: unknown,
  split: Split,
  shapes: { moving_image_shape: readonly number[]; fixed_image_shape: readonly number[] },
): AugmentationTransform[] {
  const transforms = parseAugmentation(value, { imageShapes: [shapes.moving_image_shape, shapes.fixed_image_shape] });
  return split === "train" ? transforms : [];
}

/**
 * The augmentation stream of one sample: `randomFor(seed, epoch, "augment", position)`, where
 * `position` is the sample's position in this rank's plan of the epoch (`loader.plan(epoch)`),
 * prefixed by the shard (`"augment", "<index>/<count>"`) when the epoch is sharded. Separate
 * from the plan and shuffle-buffer streams, so turning augmentation on changes neither the
 * order nor the labels, and the same for any `workers`, `prefetch`, `cacheBytes`, batch size,
 * shuffle buffer and resume point.
 */
export function augmentationRandom(seed: number, epoch: number, position: number, shard: { index: number; count: number }): Random {
  return shard.count === 1
    ? randomFor(seed, epoch, "augment", position)
    : randomFor(seed, epoch, "augment", `${shard.index}/${shard.count}`, position);
}

/** A sample's volumes as plain data, for a worker. */
interface SampleVolumes {
  movingImage: VolumeData;
  fixedImage: VolumeData;
  movingLabel?: VolumeData;
  fixedLabel?: VolumeData;
}

/** A warp task for the loader's worker threads (`worker.ts` answers it with `runAugmentTask`). */
export interface AugmentTask {
  op: "augment";
  /** The moving image's file, for error messages (the pool names it). */
  path: string;
  volumes: SampleVolumes;
  augmentation: SampleAugmentation;
}

/** True for a message task that is an `AugmentTask`. */
export function isAugmentTask(task: unknown): task is AugmentTask {
  return isPlainObject(task) && task.op === "augment";
}

const VOLUME_KEYS = ["movingImage", "fixedImage", "movingLabel", "fixedLabel"] as const;

/** Worker side: the warped volumes of `task` and the buffers to transfer back. */
export function runAugmentTask(task: AugmentTask): { result: SampleVolumes; transfer: ArrayBuffer[] } {
  const { volumes } = task;
  const sample: Sample = {
    movingImage: createVolume(volumes.movingImage.data, volumes.movingImage.shape),
    fixedImage: createVolume(volumes.fixedImage.data, volumes.fixedImage.shape),
    indices: [],
  };
  if (volumes.movingLabel) sample.movingLabel = createVolume(volumes.movingLabel.data, volumes.movingLabel.shape);
  if (volumes.fixedLabel) sample.fixedLabel = createVolume(volumes.fixedLabel.data, volumes.fixedLabel.shape);
  const out = applyAugmentation(sample, task.augmentation);
  const result: SampleVolumes = { movingImage: toVolumeData(out.movingImage), fixedImage: toVolumeData(out.fixedImage) };
  if (out.movingLabel) result.movingLabel = toVolumeData(out.movingLabel);
  if (out.fixedLabel) result.fixedLabel = toVolumeData(out.fixedLabel);
  const transfer = VOLUME_KEYS.flatMap((k) => (result[k] ? [result[k].data.buffer as ArrayBuffer] : []));
  return { result, transfer };
}

/**
 * The loader's augmentation stage: draws a sample's parameters on the calling (main) thread
 * from its own stream, then warps on the main thread, or in a worker of `pool` when there is
 * one (the volumes are copied to the worker, so a cached volume is never changed). The result
 * owns new arrays and carries `augmentation`; the input sample is not changed.
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

  /** The parameters of the sample at `position` of `epoch` (no warping). */
  draw(sample: Sample, epoch: number, position: number): SampleAugmentation {
    const random = augmentationRandom(this.#seed, epoch, position, this.#shard);
    return drawAugmentation(this.transforms, { moving: sample.movingImage.shape, fixed: sample.fixedImage.shape }, random);
  }

  async apply(
    sample: Sample,
    epoch: number,
    position: number,
    pool: { run(task: never): Promise<unknown> } | null,
    path: string,
  ): Promise<Sample> {
    const augmentation = this.draw(sample, epoch, position);
    if (pool === null) return applyAugmentation(sample, augmentation);
    const volumes: SampleVolumes = { movingImage: toVolumeData(sample.movingImage), fixedImage: toVolumeData(sample.fixedImage) };
    if (sample.movingLabel) volumes.movingLabel = toVolumeData(sample.movingLabel);
    if (sample.fixedLabel) volumes.fixedLabel = toVolumeData(sample.fixedLabel);
    const task: AugmentTask = { op: "augment", path, volumes, augmentation };
    const warped = await (pool as unknown as { run(task: AugmentTask): Promise<SampleVolumes> }).run(task);
    const out: Sample = {
      ...sample,
      movingImage: createVolume(warped.movingImage.data, warped.movingImage.shape),
      fixedImage: createVolume(warped.fixedImage.data, warped.fixedImage.shape),
      augmentation,
    };
    if (warped.movingLabel) out.movingLabel = createVolume(warped.movingLabel.data, warped.movingLabel.shape);
    if (warped.fixedLabel) out.fixedLabel = createVolume(warped.fixedLabel.data, warped.fixedLabel.shape);
    return out;
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
 * Worker side (`worker.ts`): answers an `AugmentTask` message on `port`, transferring the
 * warped volumes, or an error as the pool expects it.
 */
export function answerAugmentTask(
  port: { postMessage(message: unknown, transfer?: ArrayBuffer[]): void },
  message: { id: number; task: AugmentTask },
): void {
  try {
    const { result, transfer } = runAugmentTask(message.task);
    port.postMessage({ id: message.id, ok: true, result }, transfer);
  } catch (error) {
    port.postMessage({ id: message.id, ok: false, error: serializeError(error) });
  }
}

/**
 * The `deepreg-loader check` problems of a whole config's `train.preprocess.data_augmentation`
 * (checked against the dataset's image shapes), one `INVALID_CONFIG` problem each, reported
 * with the train split.
 */
export function augmentationProblems(config: {
  dataset: { moving_image_shape: readonly number[]; fixed_image_shape: readonly number[] };
  train?: unknown;
}): { code: "INVALID_CONFIG"; message: string }[] {
  const { augmentation } = splitConfigArgument(config, {});
  const result = validateAugmentation(augmentation, {
    imageShapes: [config.dataset.moving_image_shape, config.dataset.fixed_image_shape],
  });
  return result.ok ? [] : result.problems.map((p) => ({ code: "INVALID_CONFIG" as const, message: `${p.path}: ${p.message}` }));
}

/**
 * `createDataLoader` options of the CLI's `export` and `preview`: the config's augmentation
 * (train split only, as the loader decides), or none with `--no-augment`.
 */
export function cliAugmentation(noAugment: boolean, config: { train?: unknown }): { augmentation: unknown } {
  return { augmentation: noAugment ? false : splitConfigArgument({ ...config, dataset: null }, {}).augmentation };
}
