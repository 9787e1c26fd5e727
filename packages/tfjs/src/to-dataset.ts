// A loader as a tf.data.Dataset whose every iteration is the loader's next epoch.
import * as tf from "@tensorflow/tfjs-core";
import * as tfd from "@tensorflow/tfjs-data";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Batch } from "@deepreg-loader/core";

/** What {@link toDataset} needs of a loader: `createDataLoader`'s `DataLoader` has it. */
export interface BatchSource {
  /** The loader's batches (as `DataLoader.batches`): called once per dataset iteration for that one epoch (`startEpoch: e, epochs: e + 1`). */
  batches(options: {
    batchSize: number;
    training?: boolean;
    shuffleBufferNumBatch?: number;
    startEpoch?: number;
    epochs?: number;
  }): AsyncIterable<Batch>;
}

/** One batch as tensors: `[B, d1, d2, d3]` float32 volumes and `[B, n]` int32 index vectors. */
export interface BatchTensors extends tf.TensorContainerObject {
  /** The batch's moving images, float32 `[B, ...movingImageShape]`, over `batch.movingImage.data`. */
  movingImage: tf.Tensor4D;
  /** The batch's fixed images, float32 `[B, ...fixedImageShape]`, over `batch.fixedImage.data`. */
  fixedImage: tf.Tensor4D;
  /** Present when the split is labeled. */
  movingLabel?: tf.Tensor4D;
  /** Present when the split is labeled. */
  fixedLabel?: tf.Tensor4D;
  /** DeepReg's index vectors, one row per sample. */
  indices: tf.Tensor2D;
}

/** Options of {@link toDataset}. */
export interface ToDatasetOptions {
  /** Samples per batch (integer >= 1). */
  batchSize: number;
  /** Shuffle and drop the last partial batch. Default: the loader's (`split === "train"`). */
  training?: boolean;
  /** Shuffle buffer of `batchSize * shuffleBufferNumBatch` samples (training only). Default 1. */
  shuffleBufferNumBatch?: number;
  /** Epoch of the dataset's first iteration (resume); iteration `k` is epoch `startEpoch + k`. Default 0. */
  startEpoch?: number;
}

/**
 * The loader's batches as a `tf.data.Dataset` of {@link BatchTensors}. Every iteration of the
 * dataset (`dataset.iterator()`, `forEachAsync`, each epoch of `model.fitDataset`) runs the
 * loader's NEXT epoch, so training reshuffles every epoch exactly as
 * `loader.batches({ epochs })` would; `startEpoch` resumes. An iterator claims its epoch at its
 * first `next()`, so iterators created and dropped unused (fitDataset makes one) skip nothing.
 *
 * Tensors wrap the batch's arrays without copying; the consumer owns them (fitDataset and
 * `dataset.map` dispose what they take). Stopping an iteration early ends the loader's
 * iteration too (its workers stop).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { readConfig, createDataLoader } from "deepreg-loader";
 * import { toDataset } from "@deepreg-loader/tfjs";
 *
 * const config = await readConfig(["train.yaml"]);
 * const loader = await createDataLoader(config.dataset, "train", { seed: 42, workers: 2 });
 *
 * const dataset = toDataset(loader, { batchSize: 2, training: true }).map((b) => ({
 *   xs: tf.stack([b.movingImage, b.fixedImage], -1), // [B, d1, d2, d3, 2]
 *   ys: b.fixedImage,
 * }));
 * await model.fitDataset(dataset, { epochs: 10 }); // epoch k trains on the loader's epoch k
 * await loader.close();
 * ```
 */
export function toDataset(loader: BatchSource, options: ToDatasetOptions): tfd.Dataset<BatchTensors> {
  const { batchSize, training, shuffleBufferNumBatch } = options;
  const startEpoch = options.startEpoch ?? 0;
  if (!Number.isInteger(startEpoch) || startEpoch < 0) {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", `toDataset: startEpoch must be an integer >= 0, found ${String(startEpoch)}`);
  }
  let nextEpoch = startEpoch;
  async function* epoch(): AsyncGenerator<BatchTensors, void, undefined> {
    const e = nextEpoch++;
    const batches = loader.batches({
      batchSize,
      ...(training === undefined ? {} : { training }),
      ...(shuffleBufferNumBatch === undefined ? {} : { shuffleBufferNumBatch }),
      startEpoch: e,
      epochs: e + 1,
    });
    for await (const batch of batches) yield batchToTensors(batch);
  }
  return tfd.generator(epoch);
}

/** One batch as tensors over the batch's own arrays (no copy). */
export function batchToTensors(batch: Batch): BatchTensors {
  const volume = (v: Batch["movingImage"]) => tf.tensor4d(v.data as Float32Array, v.shape as [number, number, number, number], "float32");
  const rows = batch.indices.length;
  const cols = rows === 0 ? 0 : (batch.indices[0] as number[]).length;
  const out: BatchTensors = {
    movingImage: volume(batch.movingImage),
    fixedImage: volume(batch.fixedImage),
    indices: tf.tensor2d(Int32Array.from(batch.indices.flat()), [rows, cols], "int32"),
  };
  if (batch.movingLabel) out.movingLabel = volume(batch.movingLabel);
  if (batch.fixedLabel) out.fixedLabel = volume(batch.fixedLabel);
  return out;
}
